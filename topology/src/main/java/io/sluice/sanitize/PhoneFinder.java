package io.sluice.sanitize;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.regex.Pattern;

/**
 * Phone numbers in two passes. libphonenumber finds numbers it can place (international ones with a country code and
 * national ones of the default region) at {@link PhoneNumberUtil.Leniency#POSSIBLE}: VALID also checks the number
 * ranges allocated today and misses the fictional and newly allocated ones people type (on pii.jsonl, alone: POSSIBLE
 * finds 42 of 64 phone spans, VALID 11 of 64). Prompts also carry numbers
 * written in other countries' national formats, which no single default region can place, so a second pass takes
 * digit groups shaped like a phone number (7-15 digits, at least one separator, optional +country, (area), (0) and
 * extension), minus the shapes that are something else: dates, dotted thousands, card-like groups of four, SSN layouts,
 * dotted quads, and numbers
 * introduced as an order, ticket or version number.
 */
final class PhoneFinder {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    static final Pattern SHAPED = Pattern.compile(
            "(?<![\\p{L}\\p{N}_+.\\-/])"
                    + "(?:\\+\\d{1,3}[ .-]?)?"
                    + "(?:\\(0\\)[ .-]?)?"
                    + "(?:\\(\\d{1,5}\\)[ .-]?)?"
                    + "\\d{1,5}(?:[ .-]\\d{1,8}){0,5}"
                    + "(?:[ ]?(?:x|ext\\.?)[ ]?\\d{1,6})?"
                    + "(?![\\p{L}\\p{N}_]|[.\\-/:]\\d)");
    /** Where a {@link #SHAPED} match may begin: a country code's '+', a parenthesis or an ASCII digit, after no digit. */
    static final PiiPatterns.Start SHAPED_START = new PiiPatterns.Start("+(0123456789", false);
    private static final Pattern DATE = Pattern.compile("\\d{4}[-./]\\d{1,2}[-./]\\d{1,2}|\\d{1,2}[-./]\\d{1,2}[-./]\\d{2,4}");
    private static final Pattern THOUSANDS = Pattern.compile("\\d{1,3}(?:\\.\\d{3})+");
    private static final Pattern FOURS = Pattern.compile("\\d{4}(?:[ -]\\d{4}){2,}");
    // SSN layout and dotted quads that failed their own checks are identifiers or bad addresses, not phone numbers.
    private static final Pattern SSN_SHAPE = Pattern.compile("\\d{3}-\\d{2}-\\d{4}");
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern NOT_A_PHONE_CONTEXT = Pattern.compile(
            "(?i)(?:order|ticket|invoice|id|ref(?:erence)?|account|acct|case|tracking|serial|version|build|model|part"
                    + "|isbn|po|item|sku|batch|lot)\\s*(?:number|no\\.?|num|#|id)?\\s*(?:is|was|:|=|#)?\\s*$");

    private final String defaultRegion;

    PhoneFinder(String defaultRegion) {
        this.defaultRegion = defaultRegion;
    }

    void find(String text, FindingSink sink) {
        if (!PiiPatterns.hasDigit(text)) {
            return; // both passes need digits, and libphonenumber's own scan is slow on long texts without any
        }
        for (PhoneNumberMatch match : PHONES.findNumbers(text, defaultRegion, PhoneNumberUtil.Leniency.POSSIBLE, Long.MAX_VALUE)) {
            if (!PiiPatterns.before(text, match.start(), NOT_A_PHONE_CONTEXT) && !otherShape(match.rawString())) {
                sink.add(PiiType.PHONE_NUMBER, match.start(), match.end());
            }
        }
        PiiPatterns.eachFrom(SHAPED_START, SHAPED, text, m -> {
            if (looksLikePhone(m.group()) && !PiiPatterns.before(text, m.start(), NOT_A_PHONE_CONTEXT)) {
                sink.add(PiiType.PHONE_NUMBER, m.start(), m.end());
            }
        });
    }

    static boolean looksLikePhone(String candidate) {
        String main = candidate.replaceFirst("[ ]?(?:x|ext\\.?)[ ]?\\d{1,6}$", "");
        int digits = 0;
        for (int i = 0; i < main.length(); i++) {
            if (Character.isDigit(main.charAt(i))) {
                digits++;
            }
        }
        boolean formatted = main.chars().anyMatch(c -> c == ' ' || c == '-' || c == '.' || c == '(' || c == '+');
        return digits >= 7 && digits <= 15 && formatted && !otherShape(main);
    }

    /** A date, a number with dotted thousands, card-like groups, an SSN layout or a dotted quad. */
    private static boolean otherShape(String candidate) {
        return DATE.matcher(candidate).matches()
                || THOUSANDS.matcher(candidate).matches()
                || FOURS.matcher(candidate).matches()
                || SSN_SHAPE.matcher(candidate).matches()
                || DOTTED_QUAD.matcher(candidate).matches();
    }
}
