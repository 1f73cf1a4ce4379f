package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static dev.ferry.cli.CliRun.vector;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCommandsTest {

    @TempDir
    Path dir;

    @Test
    void keygen_writes_a_private_key_that_getpub_and_sign_accept() throws Exception {
        String key = dir.resolve("key.pem").toString();

        CliRun keygen = ferry("image", "keygen", "--type", "ecdsa-p256", "-o", key);
        CliRun getpub = ferry("image", "getpub", "-k", key);

        assertThat(keygen.exitCode()).isZero();
        assertThat(Files.readString(Path.of(key))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(getpub.out()).contains("const unsigned char ecdsa_pub_key[] = {").contains("_len = 91;");
    }

    @Test
    void keygen_never_overwrites_an_existing_key() throws Exception {
        Path key = dir.resolve("key.pem");
        Files.writeString(key, "precious");

        CliRun run = ferry("image", "keygen", "--type", "ed25519", "-o", key.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("already exists").contains("--force");
        assertThat(Files.readString(key)).isEqualTo("precious");
    }

    @Test
    void keygen_rejects_an_unknown_type_as_a_usage_error() {
        CliRun run = ferry("image", "keygen", "--type", "dsa", "-o", dir.resolve("k.pem").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("unknown key type 'dsa'").contains("ecdsa-p256, ed25519, rsa-2048, rsa-3072");
    }

    @Test
    void getpub_prints_exactly_what_imgtool_getpub_prints() throws Exception {
        for (String type : new String[] {"ed25519", "ecdsa-p256", "rsa-2048", "rsa-3072"}) {
            CliRun c = ferry("image", "getpub", "-k", vector("test-" + type + ".pem"));
            CliRun pem = ferry("image", "getpub", "-k", vector("test-" + type + ".pem"), "--encoding", "pem");

            assertThat(c.out()).as(type).isEqualTo(Files.readString(Path.of(vector("getpub-" + type + ".c"))));
            assertThat(pem.out()).as(type).isEqualTo(Files.readString(Path.of(vector("getpub-" + type + ".pem"))));
        }
    }

    @Test
    void sign_produces_the_same_file_as_imgtool_for_ed25519() throws Exception {
        Path out = dir.resolve("signed.bin");

        CliRun run = ferry("image", "sign", "--key", vector("test-ed25519.pem"), "--version", "2.0.1+77",
                "--header-size", "0x200", "--slot-size", "0x2000", "--security-counter", "7", "--confirm",
                vector("app-hdr.bin"), out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(Path.of(vector("ed25519-seccnt-confirm.bin"))));
    }

    @Test
    void sign_then_verify_then_show_round_trips() throws Exception {
        Path out = dir.resolve("signed.bin");
        ferry("image", "sign", "-k", vector("test-rsa-2048.pem"), "-v", "1.4.0+9", "-H", "0x200", "--pad-header",
                "-S", "0x4000", "-s", "auto", vector("app-raw.bin"), out.toString());

        CliRun verify = ferry("image", "verify", "-k", vector("getpub-rsa-2048.pem"), out.toString());
        CliRun show = ferry("image", "show", out.toString());

        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("OK, version 1.4.0+9").contains("rsa-2048 key");
        assertThat(show.out()).contains("version            1.4.0+9").contains("security counter   17039360")
                .contains("RSA2048_PSS");
    }

    @Test
    void show_json_reports_version_counter_hashes_and_tlvs() throws Exception {
        CliRun run = ferry("image", "show", "--json", vector("ed25519-boot-record-custom-tlv.bin"));

        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(run.exitCode()).isZero();
        assertThat(json.get("version").asText()).isEqualTo("1.2.3+0");
        assertThat(json.get("securityCounter").isNull()).isTrue();
        assertThat(json.get("hashCheck").asText()).isEqualTo("OK");
        assertThat(json.get("keyHash").asText())
                .isEqualTo("8669155de9b6361cf486a720207ebf9c55c96e2e95401f3467156e5cc6424498");
        assertThat(json.get("unknownTlvs").get(0).asText()).isEqualTo("0x00a0");
        assertThat(json.get("tlvs").get(1).get("value").asText()).isEqualTo("0102030405");
        assertThat(json.get("header").get("headerSize").asInt()).isEqualTo(0x200);
    }

    @Test
    void verify_with_an_untrusted_key_exits_2_and_says_why() {
        CliRun run = ferry("image", "verify", "-k", vector("test-ecdsa-p256.pem"), vector("ed25519-pad-header.bin"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("rejected (UNKNOWN_KEY)");
    }

    @Test
    void verify_of_a_damaged_image_names_the_problem() throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(vector("ed25519-pad-header.bin")));
        bytes[0x400] ^= 0x01;
        Path damaged = Files.write(dir.resolve("damaged.bin"), bytes);

        CliRun run = ferry("image", "verify", "-k", vector("test-ed25519.pem"), damaged.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("HASH_MISMATCH");
    }

    @Test
    void a_raw_firmware_file_is_reported_as_not_an_image() {
        CliRun run = ferry("image", "show", vector("app-raw.bin"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("invalid image (BAD_MAGIC)").contains("ferry image sign");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void sign_explains_a_firmware_without_header_gap() {
        CliRun run = ferry("image", "sign", "-v", "1.0", "-H", "0x200", "-S", "0x2000",
                vector("app-raw.bin"), dir.resolve("o.bin").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("HEADER_NOT_ZEROED").contains("--pad-header");
    }

    @Test
    void sign_rejects_a_bad_version_and_a_bad_number_as_usage_errors() {
        CliRun version = ferry("image", "sign", "-v", "1.02", "-H", "0x200", "-S", "0x2000", "--pad-header",
                vector("app-raw.bin"), dir.resolve("o.bin").toString());
        CliRun number = ferry("image", "sign", "-v", "1.0", "-H", "0x2g0", "-S", "0x2000", "--pad-header",
                vector("app-raw.bin"), dir.resolve("o.bin").toString());

        assertThat(version.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(version.err()).contains("invalid version '1.02'");
        assertThat(number.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(number.err()).contains("'0x2g0' is not a number");
    }

    @Test
    void sign_with_a_missing_input_names_the_file() {
        CliRun run = ferry("image", "sign", "-v", "1.0", "-H", "0x200", "-S", "0x2000", "--pad-header",
                dir.resolve("missing.bin").toString(), dir.resolve("o.bin").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.err()).contains("no such file").contains("missing.bin");
    }
}
