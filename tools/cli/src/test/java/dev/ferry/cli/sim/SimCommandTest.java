package dev.ferry.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.FerryCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.junit.jupiter.api.Test;

class SimCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FerryCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void a_small_fleet_registers_and_prints_its_summary() {
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider());
        endpoints.addEndpoint(new InetSocketAddress("127.0.0.1", 0), Protocol.COAP);
        LeshanServer server = new LeshanServerBuilder().setEndpointsProviders(endpoints.build()).build();
        server.start();
        try {
            Run run = ferry("sim", "--devices", "3", "--server", server.getEndpoint(Protocol.COAP).getURI().toString(),
                    "--no-provision", "--prefix", "cli-", "--duration", "0s", "--summary-every", "1h",
                    "--fault", "0.34:loss=0.01");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("3 devices (cli-0..cli-2)", "not provisioned", "34% loss=0.01")
                    .contains("final: ").contains("registered 3/3").contains("running 1.0.0+0 x3")
                    .contains("1 with faults");
            assertThat(server.getRegistrationService().getAllRegistrations()).toIterable().hasSize(3);
        } finally {
            server.destroy();
        }
    }

    @Test
    void a_fault_spec_it_does_not_know_is_a_usage_error() {
        Run run = ferry("sim", "--server", "coap://127.0.0.1:5683", "--no-provision", "--faults", "gremlins");

        assertThat(run.exitCode()).isEqualTo(dev.ferry.cli.ExitCodes.USAGE);
        assertThat(run.err()).contains("unknown fault 'gremlins'");
    }

    @Test
    void fault_groups_need_a_fraction() {
        Run run = ferry("sim", "--server", "coap://127.0.0.1:5683", "--no-provision", "--fault", "loss=0.1");

        assertThat(run.exitCode()).isEqualTo(dev.ferry.cli.ExitCodes.USAGE);
        assertThat(run.err()).contains("FRACTION:SPEC");
    }

    @Test
    void the_help_explains_faults() {
        Run run = ferry("sim", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: ferry sim").contains("--psk-from-api", "fail-health-check");
    }
}
