package dev.apiauth;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Guards a JAX-RS resource class or method: a request must carry a valid, unrevoked, unexpired API key
 * holding the listed scopes. On a method it replaces the class's annotation entirely. It is inherited like
 * JAX-RS's own annotations: from interfaces and superclasses (type-level or on the methods a resource method
 * overrides or implements), where everything inherited must hold together; sub-resources reached through a
 * protected locator need the locator's requirement too. The README's "Security rules" section has the full rule.
 *
 * <p>Read once per resource method when the application starts; nothing is reflected per request.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ApiKeyRequired {

    /** Scopes the key must hold; empty means any valid key is enough. */
    String[] scopes() default {};

    /** Whether the key needs all of {@link #scopes()} or any one of them. */
    Match match() default Match.ALL;

    enum Match {
        /** The key must hold every listed scope. */
        ALL,
        /** The key must hold at least one listed scope. */
        ANY
    }
}
