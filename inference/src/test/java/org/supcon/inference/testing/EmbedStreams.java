package org.supcon.inference.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.supcon.proto.v1.EmbedRequest;
import org.supcon.proto.v1.EmbedResponse;
import org.supcon.proto.v1.EmbeddingsGrpc;

import io.grpc.stub.StreamObserver;

/** Runs one {@code supcon.v1.Embeddings/EmbedStream} call from a test. */
public final class EmbedStreams {

    /** What an EmbedStream call gave back: the answers, and its end (completed or failed). */
    public record Result(List<EmbedResponse> answers, CompletableFuture<Void> done) {
    }

    private EmbedStreams() {
    }

    /** Sends {@code requests} on one EmbedStream, then half-closes; the answers arrive in {@code answers}. */
    public static Result run(EmbeddingsGrpc.EmbeddingsStub stub, List<EmbedRequest> requests) {
        List<EmbedResponse> answers = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<EmbedRequest> out = stub.embedStream(new StreamObserver<>() {
            public void onNext(EmbedResponse value) {
                answers.add(value);
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onCompleted() {
                done.complete(null);
            }
        });
        requests.forEach(out::onNext);
        out.onCompleted();
        return new Result(answers, done);
    }
}
