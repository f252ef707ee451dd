package dev.apiauth.jaxrs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyRequired;
import dev.apiauth.ApiKeyRequired.Match;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The annotation resolution rule, without a server: every shape the guard must see through. */
class GuardRuleTest {

    // ------------------------------------------------------------------ shapes

    @ApiKeyRequired
    interface TypeLevelApi {
        String get();
    }

    static class TypeLevelImpl implements TypeLevelApi {
        @Override
        public String get() {
            return "";
        }
    }

    interface MethodLevelApi {
        @ApiKeyRequired(scopes = "orders:read")
        String get();

        String open();
    }

    static class MethodLevelImpl implements MethodLevelApi {
        @Override
        public String get() {
            return "";
        }

        @Override
        public String open() {
            return "";
        }
    }

    interface GenericApi<T> {
        @ApiKeyRequired(scopes = "write")
        String put(T value);
    }

    static class GenericImpl implements GenericApi<String> {
        @Override
        public String put(String value) {
            return value;
        }
    }

    static class Base {
        @ApiKeyRequired(scopes = "base")
        public String get() {
            return "";
        }

        public String inheritedOpen() {
            return "";
        }
    }

    static class Override1 extends Base {
        @Override
        public String get() {
            return "";
        }
    }

    static class Override2 extends Override1 {
        @Override
        public String get() {
            return "";
        }
    }

    static class OwnOverride extends Base {
        @Override
        @ApiKeyRequired(scopes = "own")
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired(scopes = "class")
    static class AnnotatedBase {
        public String get() {
            return "";
        }
    }

    static class SubOfAnnotatedBase extends AnnotatedBase {
        public String more() {
            return "";
        }
    }

    interface ParentApi {
        @ApiKeyRequired(scopes = "parent")
        String get();
    }

    interface ChildApi extends ParentApi {
    }

    static class ChildImpl implements ChildApi {
        @Override
        public String get() {
            return "";
        }
    }

    /** Superclass method wins over interface method (superclasses first). */
    static class SuperAndInterface extends Base implements ParentApi {
        @Override
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired(scopes = "class")
    static class MethodBeatsClass {
        @ApiKeyRequired
        public String any() {
            return "";
        }

        public String classRule() {
            return "";
        }
    }

    static class PermitOnProtected {
        @ApiKeyRequired
        @PermitAll
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired
    static class PermitMethodOnProtectedClass {
        @PermitAll
        public String get() {
            return "";
        }
    }

    @PermitAll
    static class PermitClassKeyMethod {
        @ApiKeyRequired
        public String get() {
            return "";
        }
    }

    interface PermitApi {
        @PermitAll
        String get();
    }

    static class PermitFromInterface extends Base implements PermitApi {
        @Override
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired
    static class Roles {
        @RolesAllowed({"a", "b"})
        public String roles() {
            return "";
        }

        @DenyAll
        public String deny() {
            return "";
        }

        @RolesAllowed({})
        public String emptyRoles() {
            return "";
        }

        @RolesAllowed("a")
        @DenyAll
        public String both() {
            return "";
        }

        @ApiKeyRequired(scopes = {"x y"})
        public String badScope() {
            return "";
        }
    }

    interface RolesApi {
        @RolesAllowed("auditor")
        String get();
    }

    @ApiKeyRequired
    static class RolesFromInterface implements RolesApi {
        @Override
        public String get() {
            return "";
        }
    }

    static class Unprotected {
        public String get() {
            return "";
        }
    }

    // ------------------------------------------------------------------ tests

    private static Method m(Class<?> type, String name, Class<?>... params) throws NoSuchMethodException {
        return type.getMethod(name, params);
    }

    @Test
    void typeLevelAnnotationOnAnImplementedInterfaceProtects() throws Exception {
        GuardRule rule = GuardRule.resolve(TypeLevelImpl.class, m(TypeLevelImpl.class, "get"));
        assertNotNull(rule, "an interface's @ApiKeyRequired must protect the implementing resource");
        assertTrue(rule.required.scopes().isEmpty());
    }

    @Test
    void methodLevelAnnotationOnAnImplementedInterfaceMethodProtectsOnlyThatMethod() throws Exception {
        GuardRule rule = GuardRule.resolve(MethodLevelImpl.class, m(MethodLevelImpl.class, "get"));
        assertEquals(Set.of("orders:read"), rule.required.scopes());
        assertNull(GuardRule.resolve(MethodLevelImpl.class, m(MethodLevelImpl.class, "open")));
    }

    @Test
    void genericInterfaceMethodIsFoundThroughTheErasedSignature() throws Exception {
        GuardRule rule = GuardRule.resolve(GenericImpl.class, m(GenericImpl.class, "put", String.class));
        assertNotNull(rule);
        assertEquals(Set.of("write"), rule.required.scopes());
    }

    @Test
    void overrideWithoutTheAnnotationInheritsItThroughEveryLevel() throws Exception {
        assertEquals(Set.of("base"), GuardRule.resolve(Override1.class, m(Override1.class, "get")).required.scopes());
        assertEquals(Set.of("base"), GuardRule.resolve(Override2.class, m(Override2.class, "get")).required.scopes());
    }

    @Test
    void anOverridesOwnAnnotationReplacesTheInheritedOne() throws Exception {
        assertEquals(Set.of("own"), GuardRule.resolve(OwnOverride.class, m(OwnOverride.class, "get")).required.scopes());
    }

    @Test
    void classAnnotationOfASuperclassProtectsInheritedAndNewMethods() throws Exception {
        assertEquals(Set.of("class"), GuardRule.resolve(SubOfAnnotatedBase.class, m(SubOfAnnotatedBase.class, "get")).required.scopes());
        assertEquals(Set.of("class"), GuardRule.resolve(SubOfAnnotatedBase.class, m(SubOfAnnotatedBase.class, "more")).required.scopes());
    }

    @Test
    void superInterfacesAreSearched() throws Exception {
        assertEquals(Set.of("parent"), GuardRule.resolve(ChildImpl.class, m(ChildImpl.class, "get")).required.scopes());
    }

    @Test
    void everythingAMethodInheritsMustHoldTogether() throws Exception {
        GuardRule rule = GuardRule.resolve(SuperAndInterface.class, m(SuperAndInterface.class, "get"));
        assertTrue(rule.admits(Set.of("base", "parent")));
        assertFalse(rule.admits(Set.of("base")), "the interface method's scope is not dropped for the superclass's");
        assertFalse(rule.admits(Set.of("parent")));
    }

    interface UsersApi {
        @ApiKeyRequired
        String delete();
    }

    @ApiKeyRequired(scopes = "admin")
    static class AdminUsers implements UsersApi {
        @Override
        public String delete() {
            return "";
        }
    }

    @DenyAll
    @ApiKeyRequired
    static class DeniedClass implements RolesApi {
        @Override
        public String get() {
            return "";
        }
    }

    @Test
    void anInheritedMethodAnnotationCannotWeakenTheClassesOwn() throws Exception {
        GuardRule rule = GuardRule.resolve(AdminUsers.class, m(AdminUsers.class, "delete"));
        assertFalse(rule.admits(Set.of()), "the class's admin scope still holds for an interface method annotated without scopes");
        assertTrue(rule.admits(Set.of("admin")));
        assertFalse(GuardRule.resolve(DeniedClass.class, m(DeniedClass.class, "get")).admits(Set.of("auditor")),
                "a class-wide @DenyAll is not lifted by an interface method's @RolesAllowed");
    }

    @Test
    void aMethodInheritedFromAnAnnotatedSuperclassMethodStillNeedsTheSubclassesClassRule() throws Exception {
        @ApiKeyRequired(scopes = "admin")
        class Admin extends Base {
        }
        GuardRule rule = GuardRule.resolve(Admin.class, m(Admin.class, "get"));
        assertFalse(rule.admits(Set.of("base")), "Base.get's own annotation does not lift Admin's class rule");
        assertTrue(rule.admits(Set.of("base", "admin")));
    }

    interface WideApi {
        @ApiKeyRequired(scopes = "wide")
        String put(CharSequence value);
    }

    static class NarrowImpl implements WideApi {
        @Override
        public String put(CharSequence value) {
            return "";
        }

        public String put(String value) {
            return "";
        }
    }

    @Test
    void anOverloadJaxRsMayPickAsTheImplementationIsMatchedLikeJaxRsDoes() throws Exception {
        assertEquals(Set.of("wide"), GuardRule.resolve(NarrowImpl.class, m(NarrowImpl.class, "put", String.class)).required.scopes());
    }

    /** Stands for a CDI container's runtime subclass. */
    static class MethodBeatsClass$Proxy$_$$_WeldSubclass extends MethodBeatsClass {
        @Override
        public String any() {
            return "";
        }
    }

    @Test
    void aProxySubclassResolvesAsTheClassItExtends() throws Exception {
        Class<?> proxy = MethodBeatsClass$Proxy$_$$_WeldSubclass.class;
        assertTrue(GuardRule.resolve(proxy, m(proxy, "any")).admits(Set.of()), "the method's own rule, not the class's");
    }

    @Test
    void methodLevelBeatsClassLevel() throws Exception {
        assertTrue(GuardRule.resolve(MethodBeatsClass.class, m(MethodBeatsClass.class, "any")).required.scopes().isEmpty());
        assertEquals(Set.of("class"), GuardRule.resolve(MethodBeatsClass.class, m(MethodBeatsClass.class, "classRule")).required.scopes());
    }

    @Test
    void methodInheritedFromAnUnannotatedSuperclassTakesTheResourceClassRule() throws Exception {
        @ApiKeyRequired(scopes = "sub")
        class Sub extends Base {
        }
        assertEquals(Set.of("sub"), GuardRule.resolve(Sub.class, m(Sub.class, "inheritedOpen")).required.scopes());
    }

    @Test
    void unannotatedMethodsStayUnprotected() throws Exception {
        assertNull(GuardRule.resolve(Unprotected.class, m(Unprotected.class, "get")));
        assertNull(GuardRule.resolve(Base.class, m(Base.class, "inheritedOpen")));
    }

    @Test
    void permitAllOnAProtectedMethodFailsNamingIt() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GuardRule.resolve(PermitOnProtected.class, m(PermitOnProtected.class, "get")));
        assertTrue(e.getMessage().contains(PermitOnProtected.class.getName() + ".get"), e.getMessage());
        assertTrue(e.getMessage().contains("@PermitAll"), e.getMessage());
    }

    @Test
    void permitAllOnAMethodOfAProtectedClassFails() throws Exception {
        assertThrows(IllegalStateException.class,
                () -> GuardRule.resolve(PermitMethodOnProtectedClass.class, m(PermitMethodOnProtectedClass.class, "get")));
    }

    @Test
    void permitAllInheritedFromAnInterfaceCannotOpenAProtectedOverride() throws Exception {
        assertThrows(IllegalStateException.class,
                () -> GuardRule.resolve(PermitFromInterface.class, m(PermitFromInterface.class, "get")));
    }

    @Test
    void classWidePermitAllGivesWayToAMethodsOwnRequirement() throws Exception {
        GuardRule rule = GuardRule.resolve(PermitClassKeyMethod.class, m(PermitClassKeyMethod.class, "get"));
        assertNotNull(rule);
        assertTrue(rule.admits(Set.of()));
    }

    @Test
    void rolesAndDenyAllAreResolvedTheSameWay() throws Exception {
        GuardRule roles = GuardRule.resolve(Roles.class, m(Roles.class, "roles"));
        assertTrue(roles.admits(Set.of("b")));
        assertFalse(roles.admits(Set.of("c")));
        assertFalse(GuardRule.resolve(Roles.class, m(Roles.class, "deny")).admits(Set.of("a", "b")));
        assertFalse(GuardRule.resolve(Roles.class, m(Roles.class, "emptyRoles")).admits(Set.of("a")), "@RolesAllowed({}) admits nobody");
        GuardRule inherited = GuardRule.resolve(RolesFromInterface.class, m(RolesFromInterface.class, "get"));
        assertTrue(inherited.admits(Set.of("auditor")));
        assertFalse(inherited.admits(Set.of("other")), "@RolesAllowed on an interface method applies");
    }

    @Test
    void contradictoryOrInvalidAnnotationsFailNamingTheMethod() throws Exception {
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> GuardRule.resolve(Roles.class, m(Roles.class, "both")));
        assertTrue(both.getMessage().contains("Roles.both"), both.getMessage());
        IllegalStateException scope = assertThrows(IllegalStateException.class, () -> GuardRule.resolve(Roles.class, m(Roles.class, "badScope")));
        assertTrue(scope.getMessage().contains("badScope") && scope.getMessage().contains("whitespace"), scope.getMessage());
    }

    @Test
    void aLocatorsRuleIsAddedToTheSubResourceMethodsRule() throws Exception {
        GuardRule inner = GuardRule.resolve(MethodLevelImpl.class, m(MethodLevelImpl.class, "get"));
        GuardRule outer = GuardRule.resolve(Base.class, m(Base.class, "get"));
        GuardRule both = inner.and(outer);
        assertTrue(both.admits(Set.of("orders:read", "base")));
        assertFalse(both.admits(Set.of("orders:read")), "the locator's scope is required too");
        assertFalse(both.admits(Set.of("base")), "and the method's own");
        GuardRule any = GuardRule.resolve(MethodBeatsClass.class, m(MethodBeatsClass.class, "any"));
        assertFalse(any.and(GuardRule.resolve(Roles.class, m(Roles.class, "deny"))).admits(Set.of("a")), "a @DenyAll locator denies all");
    }

    public static class OpenSub {
        @jakarta.ws.rs.GET
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired
    public static class GuardedSub {
        @jakarta.ws.rs.GET
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired
    public static class LocatorToOpenSub {
        @jakarta.ws.rs.Path("sub")
        public OpenSub sub() {
            return new OpenSub();
        }
    }

    @ApiKeyRequired
    public static class LocatorToObject {
        @jakarta.ws.rs.Path("sub")
        public Object sub() {
            return new GuardedSub();
        }
    }

    @ApiKeyRequired
    public static class LocatorToGuardedSub {
        @jakarta.ws.rs.Path("sub")
        public GuardedSub sub() {
            return new GuardedSub();
        }

        @jakarta.ws.rs.GET
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired(scopes = "admin")
    public static class AdminLocatorToGuardedSub {
        @jakarta.ws.rs.Path("sub")
        public GuardedSub sub() {
            return new GuardedSub();
        }
    }

    @ApiKeyRequired(scopes = {"admin", "x"})
    public static class AdminSub {
        @jakarta.ws.rs.GET
        public String get() {
            return "";
        }
    }

    @ApiKeyRequired(scopes = "admin")
    public static class AdminLocatorToAdminSub {
        @jakarta.ws.rs.Path("sub")
        public AdminSub sub() {
            return new AdminSub();
        }
    }

    @Test
    void withoutJerseyTheSubResourceMustRequireAtLeastWhatTheLocatorRequires() {
        IllegalStateException weaker = assertThrows(IllegalStateException.class,
                () -> ApiKeyFeature.requireGuardableLocators(AdminLocatorToGuardedSub.class));
        assertTrue(weaker.getMessage().contains("does not require everything the locator requires"), weaker.getMessage());
        ApiKeyFeature.requireGuardableLocators(AdminLocatorToAdminSub.class);
    }

    @Test
    void withoutJerseyAProtectedLocatorToAnUnprotectedSubResourceFailsTheDeployment() {
        IllegalStateException open = assertThrows(IllegalStateException.class, () -> ApiKeyFeature.requireGuardableLocators(LocatorToOpenSub.class));
        assertTrue(open.getMessage().contains(LocatorToOpenSub.class.getName() + ".sub") && open.getMessage().contains("OpenSub.get"), open.getMessage());
        assertThrows(IllegalStateException.class, () -> ApiKeyFeature.requireGuardableLocators(LocatorToObject.class));
        ApiKeyFeature.requireGuardableLocators(LocatorToGuardedSub.class);
        ApiKeyFeature.requireGuardableLocators(Unprotected.class);
    }

    @Test
    void matchIsKept() throws Exception {
        @ApiKeyRequired(scopes = {"a", "b"}, match = Match.ANY)
        class AnyOf {
            public String get() {
                return "";
            }
        }
        GuardRule rule = GuardRule.resolve(AnyOf.class, m(AnyOf.class, "get"));
        assertTrue(rule.admits(Set.of("b")));
        assertFalse(rule.admits(Set.of("c")));
    }
}
