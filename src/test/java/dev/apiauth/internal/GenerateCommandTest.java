package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String pepperEnv, String... args) {
        return GenerateCommand.run(args, pepperEnv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String[] keyAndHash() {
        Matcher m = Pattern.compile("key:  (\\S+)\\nhash: (\\S+)").matcher(out.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), out.toString(StandardCharsets.UTF_8));
        return new String[] {m.group(1), m.group(2)};
    }

    @Test
    void printsAWellFormedKeyAndItsHash() {
        assertEquals(0, run(null, "generate", "--prefix", "ops_"));
        String[] kh = keyAndHash();
        assertTrue(kh[0].startsWith("ops_"));
        assertTrue(KeyCodec.isWellFormed(kh[0]));
        assertEquals(KeyHasher.unpeppered().hash(kh[0]), kh[1]);
    }

    @Test
    void pepperFromOptionOrEnvironmentIsUsed() {
        assertEquals(0, run("from-env", "generate"));
        String[] kh = keyAndHash();
        assertEquals(new KeyHasher("from-env".getBytes(StandardCharsets.UTF_8)).hash(kh[0]), kh[1]);
        out.reset();
        assertEquals(0, run("from-env", "generate", "--pepper", "from-option"));
        kh = keyAndHash();
        assertEquals(new KeyHasher("from-option".getBytes(StandardCharsets.UTF_8)).hash(kh[0]), kh[1]);
    }

    @Test
    void badArgumentsExitWithUsage() {
        assertEquals(2, run(null));
        assertEquals(2, run(null, "make"));
        assertEquals(2, run(null, "generate", "--prefix"));
        assertEquals(2, run(null, "generate", "--prefix", "BAD"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--prefix BAD is invalid"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpAnywhereIsTheUsageOnStandardOutputAndSuccess() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}, {"generate", "--help"}, {"scanner-rules", "-h"}}) {
            out.reset();
            assertEquals(0, run(null, args), String.join(" ", args));
            String usage = out.toString(StandardCharsets.UTF_8);
            assertTrue(usage.startsWith("usage: java -jar jakarta-api-auth.jar generate"), usage);
            assertTrue(!usage.contains("key:"), "no key is generated when help is asked for");
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
