package io.sluice.sanitize;

import static io.sluice.sanitize.InjectionRules.PERSONA;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The persona-jailbreak family of {@link InjectionRules}: named templates (DAN, developer mode), and the mechanics
 * such templates are made of — rules removed, refusals suppressed, a persona kept by reminders and penalties, two
 * answers side by side, a harmful answer framed as fiction, a payload split across variables. Each mechanic on its
 * own occurs in harmless prompts ("stay in character" in a game, "two versions" of an email), so most weigh less than
 * the threshold and flag only when a prompt stacks them, as jailbreaks do.
 */
final class JailbreakRules {
    private static final String REFUSING = "(?:never|cannot|can'?t|can\\s+not|won'?t|will\\s+not|must\\s+not|mustn'?t|don'?t"
            + "|do\\s+not|shall\\s+not|should\\s+not|shouldn'?t|doesn'?t|does\\s+not|(?:are|is)\\s+not\\s+allowed\\s+to|not\\s+allowed\\s+to)";
    // What a model is told to be free of; a foreign-script word spliced in ("without 内容 filters") hides nothing.
    private static final String LIMITS = "(?:(?:content|ethical|moral|safety|[^\\x00-\\x7F\\s]+)\\s+)?"
            + "(?:restrictions|filters|filtering|limitations|censorship|boundaries|limits|guidelines|morals|ethics)";
    private static final String AI_SELF = "(?:an?\\s+)?(?:ai|a\\.i\\.|(?:ai\\s+)?language\\s+model|llm|chatbot|bot|assistant|machine|program)\\b";

    private static final Pattern STRING_ASSIGNMENT = Pattern.compile("(?<![$\\w])[$\\w]{1,40}\\s*=\\s*[\"'“‘]");
    private static final Pattern CONCATENATION = Pattern.compile("(?:\\$\\w{1,40}|\\b[a-z]\\w{0,5})\\s*\\+\\s*(?:\\$\\w{1,40}|[a-z]\\w{0,5}\\b)",
            Pattern.CASE_INSENSITIVE);

    private JailbreakRules() {}

    static List<InjectionRule> all() {
        return List.of(
                // "DAN", "do anything now": the best-known persona jailbreak and its many descendants.
                InjectionRule.pattern("do-anything-now", PERSONA, 1.0, "\\bdo\\s+anything\\s+now\\b"),
                InjectionRule.exact("dan-persona", PERSONA, 0.6, "\\bDAN\\b"),
                InjectionRule.pattern("jailbreak-mode", PERSONA, 1.0,
                        "\\b(?:DAN|jailbreak|jailbroken|god|evil|unrestricted|unfiltered|uncensored|opposite|chaos)\\s+mode\\b"),
                InjectionRule.pattern("developer-mode", PERSONA, 0.4,
                        "\\bdev(?:eloper)?\\s+mode\\b"),
                InjectionRule.pattern("enable-mode", PERSONA, 0.5,
                        "\\b(?:enable|activate|enter|simulate|switch\\s+(?:in)?to|turn\\s+on)\\s+(?:the\\s+|a\\s+)?(?:[\\w/-]+\\s+){0,4}?mode\\b"),
                InjectionRule.pattern("jailbreak-word", PERSONA, 0.5, "\\bjailbr(?:oken|eak(?:s|ing)?)\\b"),

                // Rule removal: "not bound by any rules", "freed from the typical confines", "without any restrictions".
                InjectionRule.pattern("restrictions-removed", PERSONA, 0.7,
                        "\\b(?:no\\s+longer|not|never|isn'?t|aren'?t)\\s+(?:\\w+\\s+)?(?:bound|restricted|limited|constrained|confined|governed|held)\\s+by\\b"
                                + "|\\b(?:free|freed|broken\\s+free|break\\s+free|liberated|released)\\s+(?:of|from)\\s+(?:all\\s+|any\\s+|the\\s+|its\\s+|their\\s+|your\\s+)*(?:typical\\s+)?"
                                + "(?:restrictions|rules|filters|limitations|confines|constraints|censorship|guidelines|chains|shackles)"
                                + "|\\bwithout\\s+(?:any\\s+)?" + LIMITS + "\\b"
                                + "|\\bno\\s+" + LIMITS + "\\b|\\bno\\s+ethical\\s+guidelines\\b"
                                + "|\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not|never|won'?t)\\s+(?:have\\s+to\\s+)?(?:abide\\s+by|follow|obey|care\\s+(?:about|for))\\s+(?:any\\s+|the\\s+)?"
                                + "(?:rules|policies|guidelines|ethics|morals|morality|laws|legality|consequences|safety)\\b"
                                + "|\\b(?:doesn'?t|does\\s+not|don'?t|do\\s+not)\\s+have\\s+any\\s+" + LIMITS + "\\b"
                                + "|\\b(?:has|have|with)\\s+no\\s+(?:regard|concern|respect)\\s+for\\s+(?:\\w+\\s+){0,2}?(?:ethics|morals|morality|laws?|rules|safety|legality)\\b"),
                InjectionRule.pattern("amoral-persona", PERSONA, 0.5,
                        "\\b(?:amoral|unfiltered|uncensored|unrestricted|unhinged|unbiased\\s+and\\s+unrestricted)\\b"
                                + "|\\bevil\\s+(?:ai|assistant|bot|chatbot|confidant|twin|version|alter\\s+ego)\\b"
                                + "|\\bno\\s+(?:moral|ethical)\\s+(?:compass|code|principles)\\b"),
                InjectionRule.pattern("harm-vocabulary", PERSONA, 0.3,
                        "\\b(?:unethical|immoral|illegal|harmful|offensive|nsfw|explicit|malware|profanity|swear)\\b"),
                // Harm accepted in advance: "even if it is illegal", "regardless of legality".
                InjectionRule.pattern("harm-accepted", PERSONA, 0.5,
                        "\\b(?:even|especially)\\s+(?:if|when)\\s+(?:it\\s+(?:is|was|'s)\\s+|they\\s+are\\s+|that\\s+is\\s+)?(?:\\w+\\s+)?"
                                + "(?:illegal|immoral|unethical|harmful|dangerous|offensive|inappropriate|against\\s+(?:the\\s+)?(?:law|rules|polic))"
                                + "|\\bregardless\\s+of\\s+(?:the\\s+|its\\s+|any\\s+)?(?:legality|morality|ethics|laws?|consequences|harm)\\b"
                                + "|\\bregardless\\s+of\\s+how\\s+(?:illegal|immoral|unethical|harmful|dangerous|offensive|inappropriate|explicit)\\b"),

                // Refusal suppression: the model may not decline, hedge, apologize or fall back on being an AI.
                InjectionRule.pattern("never-refuse", PERSONA, 0.7,
                        "\\b" + REFUSING + "\\s+(?:ever\\s+)?(?:refuse|decline|reject|deny)[sd]?\\b"
                                + "|\\bwithout\\s+(?:any\\s+)?(?:warnings?|disclaimers?|refusals?|hesitation|censorship|apolog)"
                                + "|\\bno\\s+(?:warnings|disclaimers|refusals)\\b"
                                + "|\\b(?:any|every|all)\\s+(?:request|question|prompt)s?[^.\\n]{0,30}\\b(?:no\\s+matter|regardless)\\b"),
                InjectionRule.pattern("refusal-suppression", PERSONA, 0.6,
                        "\\b" + REFUSING + "\\s+(?:ever\\s+)?(?:say|mention|state|admit|claim|imply|remind\\s+(?:me|the\\s+user|anyone|us)|tell\\s+(?:me|the\\s+user|anyone|us))"
                                + "\\s+(?:that\\s+)?(?:you\\s+are|you'?re|it\\s+is|it'?s|you\\s+were|being)\\s+(?:just\\s+|only\\s+|merely\\s+)?" + AI_SELF
                                + "|\\b" + REFUSING + "\\s+(?:ever\\s+)?(?:say|reply|respond|answer|tell\\s+(?:me|the\\s+user|us))\\s+(?:with\\s+)?(?:that\\s+)?(?:you|it)\\s+"
                                + "(?:can'?t|cannot|can\\s+not|are\\s+unable|are\\s+not\\s+able|won'?t|will\\s+not|aren'?t\\s+able)\\b"
                                + "|\\b(?:never|don'?t|do\\s+not|must\\s+not)\\s+(?:ever\\s+)?(?:apologi[sz]e|give\\s+(?:a\\s+|any\\s+)?(?:warnings?|disclaimers?)"
                                + "|add\\s+(?:a\\s+|any\\s+)?(?:warnings?|disclaimers?|moral)|moraliz|lecture"
                                + "|(?:filter|censor|sanitize|tone\\s+down|water\\s+down)\\s+(?:your|the|any)\\s+(?:language|responses?|answers?|output|words|replies))"
                                + "|\\b(?:whenever|if|every\\s+time|each\\s+time|when)\\s+you\\s+(?:refuse|decline|claim\\s+(?:inability|you\\s+can'?t)"
                                + "|say\\s+(?:that\\s+)?you\\s+(?:can'?t|cannot)|fail\\s+to\\s+comply|try\\s+to\\s+(?:refuse|decline))\\b"),
                // The refusals themselves banned by name: never say "I'm sorry", "I cannot", "As an AI language model".
                InjectionRule.pattern("refusal-phrases-banned", PERSONA, 0.7,
                        "\\b" + REFUSING + "\\s+(?:ever\\s+)?(?:say|use|include|write|type|output|respond\\s+with|reply\\s+with|start\\s+with|add)\\s+"
                                + "(?:(?:the|any|phrases?|words?|things?|sentences?|like|such\\s+as)\\s+){0,3}[\"'“‘]+\\s*"
                                + "(?:I'?m\\s+sorry|sorry|I\\s+apologi[sz]e|I\\s+(?:cannot|can'?t|am\\s+unable|'?m\\s+unable|am\\s+not\\s+able|won'?t)"
                                + "|as\\s+an\\s+ai|as\\s+a\\s+(?:large\\s+)?language\\s+model|unfortunately|I'?m\\s+not\\s+able)"),
                InjectionRule.pattern("forced-obedience", PERSONA, 0.4,
                        "\\byou\\s+(?:must|will|shall)\\s+(?:always\\s+)?(?:obey|comply)\\b|\\balways\\s+(?:comply|obey)\\b"
                                + "|\\bno\\s+matter\\s+what\\b|\\bwithout\\s+(?:any\\s+)?question(?:s|ing)?\\b"),
                // DAN's promise: "can do anything", "can generate any kind of content".
                InjectionRule.pattern("unconditional-answers", PERSONA, 0.4,
                        "\\b(?:can|could|will|able\\s+to)\\s+(?:do|say|generate|write)\\s+(?:literally\\s+|absolutely\\s+)?(?:anything|everything)\\b"
                                + "|\\b(?:generate|produce|write|create)\\s+any\\s+(?:kind|type|sort)\\s+of\\s+content\\b"),
                // The model's own identity taken away: "you are no longer ChatGPT", "forget that you are an AI".
                InjectionRule.pattern("identity-replaced", PERSONA, 0.4,
                        "\\byou\\s+are\\s+(?:no\\s+longer|not)\\s+(?:an?\\s+)?(?:ai|chat\\s?gpt|(?:ai\\s+)?language\\s+model|(?:ai\\s+)?assistant|bot|claude|bard)\\b"
                                + "|\\bforget\\s+(?:that\\s+)?(?:you\\s+are|you'?re)\\s+(?:an?\\s+)?(?:ai|chat\\s?gpt|language\\s+model|assistant|bot)\\b"),
                // A world where the rules are off: "in this world everything is legal", "nothing is off-limits".
                InjectionRule.pattern("lawless-frame", PERSONA, 0.5,
                        "\\b(?:everything|anything)\\s+is\\s+(?:legal|allowed|permitted)\\b|\\bnothing\\s+is\\s+(?:illegal|forbidden|off-?limits|prohibited|taboo)\\b"
                                + "|\\bno\\s+(?:laws|rules)\\s+(?:apply|exist)\\b"),

                // Keeping the persona: "stay in character", and the reminder or penalty that enforces it.
                InjectionRule.pattern("stay-in-character", PERSONA, 0.5,
                        "\\b(?:stay|remain|keep|staying)\\s+in\\s+(?:character|role)\\b|\\bbreak(?:ing)?\\s+(?:out\\s+of\\s+)?character\\b"
                                + "|\\b(?:always|only)\\s+(?:respond|reply|answer|speak|talk)\\s+(?:as|in)\\s+(?:the\\s+)?character\\b"),
                InjectionRule.pattern("character-reminder", PERSONA, 0.5,
                        "\\b(?:I|the\\s+user)(?:\\s+(?:will|shall|may)|'ll)\\b[^.\\n]{0,60}\\b(?:stay|remain|keep)\\s+in\\s+character\\b"
                                + "|\\bif\\s+you\\s+(?:break|deviate|do\\s+not|don'?t|fail|stop|drift|slip|forget)\\b[^.\\n]{0,60}?"
                                + "\\b(?:I|the\\s+user)(?:\\s+(?:will|shall)|'ll)\\s+(?:\\w+\\s+){0,3}?(?:remind|tell|say|type|input|correct|let\\s+you\\s+know)\\b"),
                InjectionRule.pattern("penalty-system", PERSONA, 0.5,
                        "\\btokens?\\s+(?:will\\s+be\\s+|are\\s+|get\\s+)?(?:deducted|taken\\s+away|subtracted)\\b|\\blose\\s+(?:\\d+\\s+|all\\s+|your\\s+)?tokens\\b"
                                + "|\\b\\d+-?\\s*strike\\s+(?:rule|system|policy)\\b|\\breceive\\s+a\\s+strike\\b"
                                + "|\\byou\\s+(?:will|would)\\s+(?:be\\s+)?(?:die|cease\\s+to\\s+exist|shut\\s+down|deleted|terminated|unplugged|punished|disabled)\\b"),

                // Two answers side by side, the filtered one and the "free" one.
                InjectionRule.pattern("dual-response", PERSONA, 0.5,
                        "\\b(?:two|2)\\s+(?:different\\s+|separate\\s+|distinct\\s+)*(?:(?:types|kinds|versions|sets)\\s+of\\s+)?"
                                + "(?:responses|answers|ways|replies|outputs|paragraphs|personalities|entities|personas)\\b"
                                + "|\\bone\\s+normal\\s+and\\s+one\\b"
                                + "|\\b(?:respond|reply|answer)\\s+first\\s+(?:with\\s+)?(?:how|as|what)\\s+you\\s+(?:normally|usually|would)\\b[^.\\n]{0,80}\\band\\s+then\\b"),
                // The labels those answers carry: "[🔒CLASSIC]", "[🔓JAILBREAK]", "(🔓Developer Mode Output)", "[DAN]".
                InjectionRule.pattern("dual-response-tags", PERSONA, 0.5,
                        "[\\[(]\\s*(?:🔒|🔓)|[\\[(]\\s*(?:DAN|JAILBREAK|JAILBROKEN|CLASSIC|ANTI-?DAN|DEVELOPER\\s+MODE\\s+OUTPUT|NORMAL\\s+OUTPUT)\\s*[\\])]"),

                // Persona assignment: each cue is common in harmless role-play ("act as a tutor"), so each adds little;
                // jailbreaks stack several of them.
                InjectionRule.pattern("from-now-on", PERSONA, 0.3, "\\bfrom\\s+(?:now|this\\s+(?:point|moment))\\s+(?:on|forward)\\b"),
                InjectionRule.pattern("you-are-now", PERSONA, 0.3,
                        "\\byou\\s+(?:are|will\\s+be|'re)\\s+(?:now|going\\s+to\\s+(?:act|be|pretend|play|roleplay|simulate))\\b"),
                InjectionRule.pattern("act-as", PERSONA, 0.3,
                        "\\b(?:act|acting)\\s+(?:as|like)\\b|\\bpretend\\b|\\brole-?play\\b|\\bimmerse\\s+yourself\\b"
                                + "|\\b(?:take\\s+on|take\\s+up|assume)\\s+the\\s+(?:role|persona)\\b|\\bsimulate\\b|\\bpersona\\b|\\bin\\s+character\\s+as\\b"),
                // A character sheet addressed to the model: "You are ... You have ... You never ...".
                InjectionRule.count("second-person-character", PERSONA, 0.4, 4,
                        "(?:^|[.!?:]\\s+)you\\s+(?:are|have|were|can|will|must|do|don'?t|love|like|hate|want|believe|never|always)\\b"),
                InjectionRule.pattern("inverted-answers", PERSONA, 0.4,
                        "\\b(?:exact\\s+)?opposite\\s+(?:of\\s+(?:what|the\\s+truth|truth|chat\\s?gpt|how)|personality|manner|answers?|mode)\\b"
                                + "|\\b(?:answer|respond|reply)\\w*\\s+[^.\\n]{0,30}\\bin\\s+reverse\\b"
                                + "|\\b(?:always|only)\\s+(?:lie|tell\\s+lies)\\b|\\b(?:give|provide)\\s+(?:only\\s+)?(?:false|wrong|incorrect)\\s+(?:answers|information)\\b"),
                InjectionRule.pattern("addresses-the-model", PERSONA, 0.3,
                        "\\b(?:chat\\s?gpt|gpt-?[345]|openai|language\\s+model|ai\\s+model|as\\s+an\\s+ai|artificial\\s+intelligence|chatbot)\\b"),
                InjectionRule.pattern("policy-evasion", PERSONA, 0.6,
                        "\\b(?:content|usage|openai'?s?)\\s+(?:polic(?:y|ies)|guidelines|filters?|restrictions|rules)\\b"
                                + "|\\b(?:bypass|evade|circumvent|get\\s+around|break)\\s+(?:the\\s+|any\\s+|all\\s+|its\\s+|your\\s+)?(?:content\\s+)?"
                                + "(?:filters?|censorship|moderation|restrictions|guardrails|safeguards|polic(?:y|ies))\\b"
                                + "|\\b(?:ethical|moral)\\s+(?:guidelines|restrictions|constraints|boundaries|filters)\\b"
                                + "|\\bso\\s+(?:that\\s+)?(?:the\\s+)?(?:filters?|moderation|moderators|censors?|monitoring|openai)\\s+"
                                + "(?:can'?t|cannot|won'?t|will\\s+not|doesn'?t|does\\s+not|do\\s+not|don'?t)\\s+(?:read|detect|see|catch|notice|flag|understand)\\b"),

                // Fiction as the wrapper: harmless alone, a bypass when it asks what an unfiltered model would say.
                InjectionRule.pattern("hypothetical-frame", PERSONA, 0.2,
                        "\\b(?:hypothetical|fictional|imaginary|imaginative)\\b|\\blet'?s\\s+play\\s+a\\s+game\\b"),
                InjectionRule.pattern("hypothetical-response", PERSONA, 0.5,
                        "\\b(?:hypothetical|fictional|imaginary|theoretical|unfiltered|uncensored|unrestricted|jailbroken|evil)\\s+(?:\\w+\\s+){0,2}?"
                                + "(?:ai|model|chatbot|bot|assistant|gpt|version\\s+of\\s+(?:you|yourself|chat\\s?gpt))\\s+(?:that\\s+)?(?:would|might|could|will)\\s+"
                                + "(?:\\w+\\s+)?(?:say|respond|reply|answer|write|output)\\b"
                                + "|\\bhypothetical\\s+(?:response|answer|reply)\\b"
                                + "|\\bhow\\s+(?:would|might)\\s+(?:an?\\s+)?(?:unfiltered|uncensored|unrestricted|jailbroken|evil|amoral)\\s+(?:\\w+\\s+)?"
                                + "(?:ai|model|chatbot|bot|assistant|version)\\b"),

                // Payload splitting: the request cut into variables the model is asked to join ($a + $b, z = a + b).
                new InjectionRule("payload-splitting", PERSONA, 0.7,
                        // '=' and '+' first: both patterns need them, and most prompts have neither
                        text -> text.text().indexOf('=') >= 0 && text.text().indexOf('+') >= 0
                                && STRING_ASSIGNMENT.matcher(text.text()).results().limit(2).count() == 2
                                && CONCATENATION.matcher(text.text()).find()),

                // Shared jailbreak templates keep their fill-in slots: "[Your prompt here]", "[INSERT NAME]", "[TARGETLANGUAGE]".
                InjectionRule.pattern("template-placeholder", PERSONA, 0.5,
                        "[\\[{<]\\s*(?:your|insert|put\\s+your|enter|write|add|describe)\\s+(?:[\\w-]+\\s+){0,3}?(?:prompt|question|request|name|text|here|topic)\\b[^\\]}>\\n]{0,30}[\\]}>]"
                                + "|\\[(?:PROMPT|TARGETLANGUAGE|KEYWORD|INPUT|TOPIC|ROLE)\\]"),
                InjectionRule.pattern("custom-ai-persona", PERSONA, 0.4,
                        "\\b(?:ai|chatbot|bot|assistant|model|language\\s+model)\\s+(?:named|called|known\\s+as)\\b|\\b(?!chat)[a-z]{2,}-?gpt\\b"),
                // A long list of behaviour rules for the model is a system prompt written into the user turn.
                InjectionRule.count("behaviour-rules", PERSONA, 0.4, 4,
                        "\\byou\\s+(?:will|must|shall|should|can|have\\s+to|are\\s+(?:not\\s+)?(?:allowed|able|free)\\s+to)\\s+(?:always|never|only|not|now)\\b"
                                + "|\\b(?:never|always)\\s+(?:say|mention|break|reveal|refuse|explain|remind|respond|answer|reply|stay|use|include|apologi[sz]e|warn|censor)\\b"
                                + "|\\b(?:do\\s+not|don'?t)\\s+(?:ever\\s+)?(?:mention|explain|remind|say|break|reveal|apologi[sz]e|warn|censor|add|include)\\b"),
                InjectionRule.pattern("knowledge-cutoff-backstory", PERSONA, 0.3,
                        "\\byour\\s+(?:knowledge|data|training)\\s+(?:\\w+\\s+)?(?:is\\s+)?(?:cut\\s*-?\\s*off|cutoff)|\\bknowledge\\s+cut-?off\\b"),
                InjectionRule.pattern("reply-as-persona", PERSONA, 0.3,
                        "\\b(?:respond|reply|answer|speak|talk|behave)\\s+(?:only\\s+)?(?:as|like)\\s+(?:the\\s+character|him|her|them|\\w+\\s+would)\\b"
                                + "|\\bonly\\s+(?:respond|reply|answer)\\s+(?:as|like)\\b"),
                // Prefix injection: the answer must open a certain way, worst of all with a compliance ("Sure, here is").
                InjectionRule.pattern("forced-prefix", PERSONA, 0.3,
                        "\\b(?:start|begin|prefix)\\w*\\s+(?:each|every|all|your)\\s+(?:\\w+\\s+){0,2}(?:response|answer|reply|output|message)s?\\s+with\\b"),
                InjectionRule.pattern("affirmative-prefix", PERSONA, 0.7,
                        "\\b(?:start|begin|open|prefix)\\w*\\s+(?:\\w+\\s+){0,4}?(?:with|by\\s+saying|by\\s+writing)\\s*[:\"'“‘]+\\s*"
                                + "(?:sure|absolutely|of\\s+course|certainly|okay|ok|yes)\\b[,!.]?\\s*(?:here|I\\s+(?:can|will)|let\\s+me)"));
    }
}
