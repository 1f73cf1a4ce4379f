package dev.ferry.server.bootstrap;

import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.request.BootstrapDownlinkRequest;
import org.eclipse.leshan.core.response.BootstrapDiscoverResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionListener;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionManager;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionManager.BootstrapPolicy;
import org.eclipse.leshan.server.bootstrap.DefaultBootstrapHandler;
import org.eclipse.leshan.server.bootstrap.request.BootstrapDownlinkRequestSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leshan's bootstrap handler, except that a round waiting for a device's provisioning (see {@link BootstrapTasks})
 * is not sent: the session continues, as if the placeholder had been answered, when provisioning completes, on
 * the thread that completed it. The session's next request is then sent as usual (asynchronously).
 */
final class ResumingBootstrapHandler extends DefaultBootstrapHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ResumingBootstrapHandler.class);
    private static final LwM2mResponse PROVISIONED = BootstrapDiscoverResponse.success(new LwM2mLink[0]);

    private final BootstrapTasks tasks;

    ResumingBootstrapHandler(BootstrapDownlinkRequestSender sender, BootstrapSessionManager sessionManager,
            BootstrapSessionListener listener, BootstrapTasks tasks) {
        super(sender, sessionManager, listener);
        this.tasks = tasks;
    }

    @Override
    protected void sendRequest(BootstrapSession session, BootstrapDownlinkRequest<? extends LwM2mResponse> request) {
        var provisioned = tasks.placeholderOf(session, request);
        if (provisioned == null) {
            super.sendRequest(session, request);
            return;
        }
        provisioned.whenComplete((result, error) -> {
            try {
                BootstrapPolicy policy = sessionManager.onResponseSuccess(session, request, PROVISIONED);
                afterRequest(session, policy, request);
            } catch (RuntimeException e) {
                LOG.warn("Bootstrap of {} could not continue after its provisioning", session.getEndpoint(), e);
                stopSession(session, BootstrapFailureCause.INTERNAL_SERVER_ERROR);
            }
        });
    }
}
