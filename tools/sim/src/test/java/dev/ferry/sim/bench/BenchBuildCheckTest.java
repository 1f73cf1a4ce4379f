package dev.ferry.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/bench/common.sh's jar freshness check, on a repository of its own: the bench scripts build only when a
 * file a jar is built from is newer than the jar.
 */
class BenchBuildCheckTest {
    private static final Path COMMON = Path.of("../bench/common.sh").toAbsolutePath().normalize();
    private static final Instant BUILT = Instant.parse("2026-01-01T12:00:00Z");

    @TempDir
    Path repo;
    private Path jar;

    @BeforeEach
    void a_repository_with_one_module_built_after_its_sources() throws IOException {
        Files.createDirectories(repo.resolve("tools/bench"));
        Files.copy(COMMON, repo.resolve("tools/bench/common.sh"));
        file("pom.xml", "<project><modules>\n    <module>mod</module>\n  </modules></project>");
        file("mod/pom.xml", "<project/>");
        file("mod/src/main/java/A.java", "class A {}");
        file("mod/src/main/resources/db/V1__init.sql", "create table a (id int);");
        file("mod/src/test/java/ATest.java", "class ATest {}");
        file("firmware/src/main/app.c", "int main(void) { return 0; }");
        jar = file("mod/target/mod.jar", "jar");
        file("mod/target/classes/META-INF/maven/dev.ferry/mod/pom.xml", "<project/>");
        try (var files = Files.walk(repo)) {
            for (Path path : files.toList()) {
                Files.setLastModifiedTime(path, FileTime.from(BUILT.minusSeconds(60)));
            }
        }
        Files.setLastModifiedTime(jar, FileTime.from(BUILT));
    }

    @Test
    void a_jar_newer_than_every_source_is_current() throws Exception {
        assertThat(staleSource(jar)).isEmpty();
    }

    @Test
    void a_main_source_or_resource_edited_after_the_build_makes_the_jar_stale() throws Exception {
        touchAfterBuild("mod/src/main/resources/db/V1__init.sql");

        assertThat(staleSource(jar)).isEqualTo(repo.resolve("mod/src/main/resources/db/V1__init.sql").toString());
    }

    @Test
    void a_module_pom_or_the_root_pom_edited_after_the_build_makes_the_jar_stale() throws Exception {
        touchAfterBuild("mod/pom.xml");
        assertThat(staleSource(jar)).isEqualTo(repo.resolve("mod/pom.xml").toString());

        Files.setLastModifiedTime(repo.resolve("mod/pom.xml"), FileTime.from(BUILT.minusSeconds(60)));
        touchAfterBuild("pom.xml");
        assertThat(staleSource(jar)).isEqualTo(repo.resolve("pom.xml").toString());
    }

    @Test
    void tests_build_output_and_folders_that_are_no_module_do_not_count() throws Exception {
        touchAfterBuild("mod/src/test/java/ATest.java");
        touchAfterBuild("mod/target/classes/META-INF/maven/dev.ferry/mod/pom.xml");
        touchAfterBuild("firmware/src/main/app.c");

        assertThat(staleSource(jar)).isEmpty();
    }

    @Test
    void a_jar_not_built_yet_is_stale() throws Exception {
        Files.delete(jar);

        assertThat(staleSource(jar)).isEqualTo(jar + " (not built)");
    }

    private String staleSource(Path jarFile) throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", "source \"$1\" && bench_stale_source \"$2\"", "test",
                repo.resolve("tools/bench/common.sh").toString(), jarFile.toString()).redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output;
    }

    private Path file(String relative, String content) throws IOException {
        Path path = repo.resolve(relative);
        Files.createDirectories(path.getParent());
        return Files.writeString(path, content);
    }

    private void touchAfterBuild(String relative) throws IOException {
        Files.setLastModifiedTime(repo.resolve(relative), FileTime.from(BUILT.plusSeconds(60)));
    }
}
