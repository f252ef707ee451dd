package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The secret-scanner rules shipped in the jar (META-INF/apiauth/scanners/), read as the scanners would: each finds
 * generated keys where leaks happen (env files, JSON, headers, URLs, code), exactly the key, and nothing that only
 * resembles one. The patterns use only syntax that Go's RE2 (gitleaks, TruffleHog), Hyperscan (GitHub) and Java agree on.
 */
class ScannerRulesTest {

    static final String[] CONTEXTS = {
        "API_KEY=%s\n",
        "export APIAUTH_KEY=\"%s\"\n",
        "{\"apiKey\": \"%s\", \"other\": 1}",
        "X-API-Key: %s\r\n",
        "Authorization: Bearer %s\n",
        "curl -H 'X-API-Key: %s' https://example.test/api\n",
        "https://example.test/hook?key=%s&x=1",
        "client.key('%s');",
        "%s",
        "  key: %s  # comment",
    };

    private static List<Pattern> rules(String prefix) {
        List<Pattern> rules = new ArrayList<>();
        rules.add(Pattern.compile(value(GenerateCommand.scannerRule("gitleaks.toml", prefix), "(?m)^regex = '''(.*)'''$")));
        rules.add(Pattern.compile(value(GenerateCommand.scannerRule("trufflehog.yaml", prefix), "(?m)^\\s+key: '(.*)'$")));
        String github = GenerateCommand.scannerRule("github-secret-scanning.yml", prefix);
        rules.add(Pattern.compile("(?:" + value(github, "(?m)^before_secret: (.*)$") + ")(" + value(github, "(?m)^secret_format: (.*)$")
                + ")(?:" + value(github, "(?m)^after_secret: (.*)$") + ")"));
        return rules;
    }

    private static String value(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertTrue(matcher.find(), "no " + regex + " in\n" + text);
        return matcher.group(1);
    }

    @Test
    void everyRuleFindsGeneratedKeysWhereLeaksHappenAndExactlyTheKey() {
        for (String prefix : new String[] {"ak_", "shop_live_", "x_"}) {
            KeyCodec codec = new KeyCodec(prefix);
            for (Pattern rule : rules(prefix)) {
                for (int i = 0; i < 200; i++) {
                    String key = codec.generate();
                    String context = CONTEXTS[i % CONTEXTS.length];
                    Matcher found = rule.matcher(context.formatted(key));
                    assertTrue(found.find(), rule + " misses " + context.formatted(key));
                    assertEquals(key, found.group(1), rule + " in " + context);
                }
            }
        }
    }

    @Test
    void rulesIgnoreWhatOnlyResemblesAKey() {
        String key = new KeyCodec("ak_").generate();
        String[] lookalikes = {
            key.substring(0, key.length() - 1),         // one character short
            key + "Z",                                  // one character more
            "x" + key,                                  // another prefix ending in ak_
            "AK_" + key.substring(3),                   // the prefix in capitals
            "ak-" + key.substring(3),                   // another separator
            new KeyCodec("bk_").generate(),             // another prefix
        };
        for (Pattern rule : rules("ak_")) {
            for (String lookalike : lookalikes) {
                assertFalse(rule.matcher("API_KEY=" + lookalike + "\n").find(), rule + " matched " + lookalike);
            }
        }
    }

    @Test
    void theCommandPrintsTheRulesForAnotherPrefix() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = GenerateCommand.run(new String[] {"scanner-rules", "--prefix", "shop_live_"}, null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("regex = '''\\b(shop_live_[0-9A-Za-z]{49})\\b'''"), printed);
        assertTrue(printed.contains("secret_format: shop_live_[0-9A-Za-z]{49}"), printed);
        assertFalse(printed.lines().filter(l -> !l.startsWith("#")).anyMatch(l -> l.contains("ak_")), "no ak_ left outside comments");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, GenerateCommand.run(new String[] {"scanner-rules", "--prefix", "Shop-"}, null,
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("[a-z0-9]+(_[a-z0-9]+)*_"));
    }

    /** The README's regular expression for the format, with any prefix. */
    @Test
    void theDocumentedFormatMatchesGeneratedKeysOfAnyPrefix() {
        Pattern format = Pattern.compile("[a-z0-9]+(?:_[a-z0-9]+)*_[0-9A-Za-z]{49}");
        for (String prefix : new String[] {"ak_", "shop_live_", "a".repeat(31) + "_", "v2_", "a1_b2_c3_"}) {
            String key = new KeyCodec(prefix).generate();
            assertTrue(format.matcher(key).matches(), key);
            assertTrue(Secrets.looksLikeKey(key), "messages redact it: " + key);
        }
    }
}
