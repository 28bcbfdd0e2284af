package org.supcon.inference.grpc;

import org.jboss.logging.Logger;
import org.supcon.inference.oip.OipException;
import org.supcon.inference.service.OipService;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Refusals as gRPC statuses: the {@link OipException} kind picks the code, its message is the description. */
final class GrpcErrors {

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    static Throwable toStatus(Throwable error) {
        Throwable e = OipService.unwrap(error);
        if (e instanceof StatusRuntimeException) {
            return e;
        }
        if (e instanceof OipException oip) {
            return Status.fromCode(Status.Code.valueOf(oip.kind().grpcCode)).withDescription(oip.getMessage()).asRuntimeException();
        }
        LOG.error("gRPC call failed", e);
        return Status.INTERNAL.withDescription("internal error: " + e).asRuntimeException();
    }
}
