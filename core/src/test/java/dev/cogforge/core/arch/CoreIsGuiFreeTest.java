package dev.cogforge.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "dev.cogforge.core", importOptions = ImportOption.DoNotIncludeTests.class)
class CoreIsGuiFreeTest {
    @ArchTest
    static final ArchRule coreNeverTouchesJavaFx = noClasses().that().resideInAPackage("dev.cogforge.core..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "java.awt..", "javax.swing..")
            .because("core must run headless and be shared by the studio and the CLI");
}
