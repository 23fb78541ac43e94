package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * People's names, from a {@link NameGazetteer} and the context around capitalized words: a known given name with
 * what follows it ("Laila Hansen"), a middle initial ("Faina D. Yefremova"), a title ("Dr. Burke"), a phrase that
 * introduces a name ("my name is …", "directed by …"), surname endings common in Slavic, Nordic and Balkan names,
 * and again every later mention of a surname or given name found that way.
 */
final class PersonFinder {
    /** A word: letters, with inner apostrophes and hyphens. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}][\\p{L}'’]*(?:-[\\p{L}][\\p{L}'’]*)*");
    private static final Pattern SURNAME_ENDING = Pattern.compile(
            ".{2,}(?:ov|ova|ev|eva|sky|ski|ska|skaya|enko|escu|ović|ević|vić|ić|sson|ssen|sen|poulos|idis|akis|oğlu|oglu"
                    + "|yan|dze|shvili|ová|ský)");
    private static final Set<String> TITLES = Set.of("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir",
            "Madam", "Mme", "Mlle", "Herr", "Frau", "Sr", "Sra", "Dott");
    /** Capitalized words that start sentences or headings but never a name. */
    private static final Set<String> NEVER = Set.of("I", "The", "A", "An", "This", "That", "These", "Those", "My",
            "Our", "Your", "His", "Her", "Their", "Its", "In", "On", "At", "Of", "For", "And", "But", "Or", "If", "When",
            "While", "What", "Who", "Why", "How", "Where", "Is", "Are", "Was", "Were", "Please", "Dear", "Hi", "Hello",
            "Thanks", "Thank", "Yes", "No", "It", "We", "You", "He", "She", "They", "Mr", "Mrs", "Ms", "Dr", "Apt",
            "Suite", "Unit", "Street", "Avenue", "Road", "Inc", "Ltd", "LLC", "Corp", "Group", "Monday", "Tuesday",
            "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "June",
            "July", "August", "September", "October", "November", "December", "Meet", "Billing", "Address", "Name");
    /** Street types and legal forms: a capitalized word before one of these names a place or a firm. */
    private static final Set<String> NOT_AFTER_A_NAME = Set.of("Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane",
            "Drive", "Boulevard", "Blvd", "Way", "Court", "Place", "Square", "Terrace", "Parkway", "Highway", "Crescent",
            "Close", "Alley", "Circle", "Trail", "Gardens", "Park", "Hill", "Inc", "Ltd", "LLC", "Corp", "Corporation",
            "GmbH", "AG", "PLC", "Group", "Technologies", "Consulting", "Holdings", "Partners", "Company", "Bank",
            "Insurance", "University", "Institute", "Foundation", "Hospital", "School", "College", "Airport", "Station");
    /** Phrases after which the next words are a name, in any case ("her maiden name is nyberg"). */
    static final Pattern NAME_IS = Pattern.compile(
            "(?i)(?=n)\\bname\\b[^.\\n]{0,25}?(?:\\bis|\\bwas|:|\\?)\\s+(?:\\w+:\\s+)?");
    /** Words of speech and address before a name ("said Maslin", "Hi Manlio"). */
    static final Pattern ADDRESSED = Pattern.compile(
            "(?=[satHT])(?:\\b(?:said|says|asked|told|Hi|Hello|Hey|Thanks)),?\\s+");
    /** What people do after their name ("Tomomi Nishiyama lives at"). */
    private static final Pattern ACTS = Pattern.compile("^(?:'s)?\\s+(?:lives|lived|said|says|shouted|asked|began|is from"
            + "|spent|had given|was born|grew up)\\b");
    /**
     * Phrases after which capitalized words are a name. Here and above, a test of the first letter goes first: it
     * changes no match, and spares most places of a text every phrase's word-boundary test.
     */
    static final Pattern INTRODUCED = Pattern.compile(
            "(?i)(?=[ncidwsar])(?:\\bnamed|\\bcalled|\\bI\\s+am|\\bI'm|\\bdear|\\bchange\\s+it\\s+to"
                    + "|\\bcorrect\\s+it\\s+to"
                    + "|\\bdirected\\s+by|\\bwritten\\s+by|\\bstarring|\\bassistant\\s+to|\\bsigned\\s*,"
                    + "|\\bregards\\s*,|\\bsincerely\\s*,)\\s+(?:(?:Mr|Mrs|Ms|Dr)\\.?\\s+)?");

    private final NameGazetteer names;

    PersonFinder(NameGazetteer names) {
        this.names = names;
    }

    void find(String text, FindingSink sink) {
        List<int[]> words = words(text);
        boolean caseless = text.chars().noneMatch(Character::isUpperCase);
        Cues cues = new Cues(ends(text, NAME_IS), ends(text, INTRODUCED), ends(text, ADDRESSED));
        Set<String> found = new HashSet<>();
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < words.size(); ) {
            int end = caseless ? caselessName(text, words, i) : name(text, words, i, cues);
            if (end > i) {
                spans.add(new int[] {words.get(i)[0], words.get(end - 1)[1]});
                for (int k = i; k < end; k++) {
                    String w = word(text, words.get(k));
                    if (w.length() > 1) {
                        found.add(w);
                    }
                }
                i = end;
            } else {
                i++;
            }
        }
        // later mentions: "… verses from Faina D. Yefremova … early Yefremova"
        for (int[] w : words) {
            if (found.contains(word(text, w)) && spans.stream().noneMatch(s -> s[0] <= w[0] && w[1] <= s[1])) {
                spans.add(new int[] {w[0], w[1]});
            }
        }
        spans.forEach(s -> sink.add(PiiType.PERSON, s[0], s[1]));
    }

    /** The end (exclusive word index) of a name starting at word {@code i}, or {@code i} for none. */
    private int name(String text, List<int[]> words, int i, Cues cues) {
        int[] first = words.get(i);
        String w = word(text, first);
        if (cues.nameIs().contains(first[0])) {
            return stopWord(w) ? i : chain(text, words, i, true);
        }
        if (!capitalized(w) || NEVER.contains(w)) {
            return i;
        }
        if (cues.introduced().contains(first[0]) || cues.addressed().contains(first[0])) {
            return chain(text, words, i, false);
        }
        if (i > 0 && TITLES.contains(word(text, words.get(i - 1))) && adjacent(text, words.get(i - 1), first, true)) {
            return chain(text, words, i, false);
        }
        int end = chain(text, words, i, false);
        if (notAPerson(text, words, i, end)) {
            return i;
        }
        int length = end - i;
        boolean initial = false;
        boolean surname = false;
        for (int k = i + 1; k < end; k++) {
            String next = word(text, words.get(k));
            initial |= next.length() == 1;
            surname |= next.length() > 1 && (names.family(next) != NameGazetteer.Kind.NONE || surnameShaped(next));
        }
        NameGazetteer.Kind given = names.given(w);
        if (given == NameGazetteer.Kind.NAME || ACTS.matcher(text).region(words.get(end - 1)[1], text.length())
                .lookingAt() && !sentenceStart(text, first[0]) | length >= 2 | given != NameGazetteer.Kind.NONE) {
            return end;
        }
        if (length >= 2 && (initial || surname && (given == NameGazetteer.Kind.AMBIGUOUS || !sentenceStart(text, first[0])))) {
            return end;
        }
        if (length == 1 && (names.family(w) == NameGazetteer.Kind.NAME && !sentenceStart(text, first[0])
                || surnameShaped(w))) {
            return end;
        }
        return i;
    }

    /**
     * Words that are the name of a street or a firm, not of a person: after a house number ("24 Clarke Avenue"), or
     * followed by a street type or a legal form ("Clarke Avenue", "Morrison Ltd").
     */
    private static boolean notAPerson(String text, List<int[]> words, int i, int end) {
        if (words.get(i)[0] >= 2 && Character.isDigit(text.charAt(words.get(i)[0] - 2))
                && text.charAt(words.get(i)[0] - 1) == ' ') {
            return true;
        }
        if (end < words.size() && adjacent(text, words.get(end - 1), words.get(end), false)) {
            return NOT_AFTER_A_NAME.contains(word(text, words.get(end)));
        }
        String last = word(text, words.get(end - 1));
        return NOT_AFTER_A_NAME.contains(last);
    }

    /**
     * A name in a text written all in lower case, where capitals say nothing: a known, unambiguous given name and the
     * known or surname-shaped words after it.
     */
    private int caselessName(String text, List<int[]> words, int i) {
        if (names.given(capitalize(word(text, words.get(i)))) != NameGazetteer.Kind.NAME) {
            return i;
        }
        int end = i + 1;
        while (end < words.size() && end - i < 3 && adjacent(text, words.get(end - 1), words.get(end), true)) {
            String next = capitalize(word(text, words.get(end)));
            if (next.length() > 1 && names.family(next) != NameGazetteer.Kind.NAME && !surnameShaped(next)) {
                break;
            }
            end++;
        }
        return end;
    }

    private static String capitalize(String w) {
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /**
     * The capitalized words (and initials) that follow word {@code i} on the same line, one space apart: at most
     * four in all. {@code anyCase} takes lower-case words too, after a phrase that announces a name.
     */
    private int chain(String text, List<int[]> words, int i, boolean anyCase) {
        int end = i + 1;
        while (end < words.size() && end - i < 4 && adjacent(text, words.get(end - 1), words.get(end), true)) {
            String next = word(text, words.get(end));
            if (NEVER.contains(next) || !(anyCase ? !next.isEmpty() && !stopWord(next) : capitalized(next))) {
                break;
            }
            end++;
        }
        return end;
    }

    private static final Set<String> STOP_WORDS = Set.of("and", "or", "is", "was", "the", "a", "an", "to", "of", "in",
            "at", "from", "with", "but", "as", "for", "on", "by", "lives", "who", "i", "it");

    private static boolean stopWord(String w) {
        return STOP_WORDS.contains(w.toLowerCase(java.util.Locale.ROOT));
    }

    /** Word {@code b} follows {@code a} after one space, or after an initial's dot and a space. */
    private static boolean adjacent(String text, int[] a, int[] b, boolean allowDot) {
        int gap = b[0] - a[1];
        return gap == 1 && text.charAt(a[1]) == ' '
                || allowDot && gap == 2 && text.charAt(a[1]) == '.' && text.charAt(a[1] + 1) == ' ';
    }

    /** Where a name may start after each kind of cue: one pass over the text for each, not one per word. */
    private record Cues(Set<Integer> nameIs, Set<Integer> introduced, Set<Integer> addressed) {}

    private static Set<Integer> ends(String text, Pattern phrase) {
        Set<Integer> ends = new HashSet<>();
        Matcher m = phrase.matcher(text);
        while (m.find()) {
            ends.add(m.end());
        }
        return ends;
    }

    private static boolean capitalized(String w) {
        return Character.isUpperCase(w.charAt(0)) && (w.length() == 1 || !allUpper(w));
    }

    private static boolean allUpper(String w) {
        for (int k = 0; k < w.length(); k++) {
            if (Character.isLowerCase(w.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private static boolean surnameShaped(String w) {
        return w.length() >= 5 && Character.isUpperCase(w.charAt(0)) && SURNAME_ENDING.matcher(w).matches();
    }

    /** At the start of the text or of a sentence or line: where any word is capitalized. */
    private static boolean sentenceStart(String text, int start) {
        for (int k = start - 1; k >= 0; k--) {
            char c = text.charAt(k);
            if (c == '\n' || c == '.' || c == '!' || c == '?' || c == ':' || c == '"' || c == '>') {
                return true;
            }
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    private static List<int[]> words(String text) {
        List<int[]> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    private static String word(String text, int[] w) {
        return text.substring(w[0], w[1]);
    }
}
