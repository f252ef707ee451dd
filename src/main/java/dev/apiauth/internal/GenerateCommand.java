package dev.apiauth.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code java -jar jakarta-api-auth.jar generate [--prefix p_] [--pepper secret]}: prints a fresh key and
 * its hash, for {@code apiauth.bootstrap.admin-key-hash}. Without {@code --pepper}, the pepper is taken
 * from the environment variable {@code APIAUTH_HASH_PEPPER} when set (keeps it out of shell history).
 */
public final class GenerateCommand {

    private GenerateCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("APIAUTH_HASH_PEPPER"), System.out, System.err));
    }

    static int run(String[] args, String pepperFromEnv, PrintStream out, PrintStream err) {
        if (args.length == 0 || !"generate".equals(args[0])) {
            return usage(err, args.length == 0 ? null : "unknown command '" + args[0] + "'");
        }
        String prefix = "ak_";
        String pepper = pepperFromEnv;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length || !(option.equals("--prefix") || option.equals("--pepper"))) {
                return usage(err, "unexpected argument '" + option + "'");
            }
            String value = args[++i];
            if (option.equals("--prefix")) {
                prefix = value;
            } else {
                pepper = value;
            }
        }
        if (!KeyCodec.PREFIX.matcher(prefix).matches()) {
            err.println("--prefix " + prefix + " is invalid; expected 1 to 16 lowercase letters or digits followed by '_', e.g. ak_");
            return 2;
        }
        String key = new KeyCodec(prefix).generate();
        String hash = new KeyHasher(pepper == null || pepper.isEmpty() ? null : pepper.getBytes(StandardCharsets.UTF_8)).hash(key);
        out.println("key:  " + key);
        out.println("hash: " + hash);
        out.println();
        out.println("Configure apiauth.bootstrap.admin-key-hash=" + hash);
        out.println(pepper == null || pepper.isEmpty()
                ? "(no pepper: plain SHA-256; the server must not set apiauth.hash.pepper)"
                : "(hashed with the given pepper; the server must set the same apiauth.hash.pepper)");
        out.println("The key is shown only here and stored nowhere: keep it in your secret store.");
        return 0;
    }

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println(problem);
        }
        err.println("usage: java -jar jakarta-api-auth.jar generate [--prefix ak_] [--pepper <secret>]");
        err.println("       (the pepper may also come from the environment variable APIAUTH_HASH_PEPPER)");
        return 2;
    }
}
