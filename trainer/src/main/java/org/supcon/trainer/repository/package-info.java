/**
 * The model repository: published, immutable model versions on a filesystem, shared by the
 * trainer (which publishes) and the inference service (which reads).
 *
 * <pre>
 * ROOT/NAME/1/model.onnx
 * ROOT/NAME/1/model-card.json     the {@link org.supcon.trainer.repository.ModelCard}
 * ROOT/NAME/1/training.png        optional extra files
 * ROOT/NAME/2/...
 * ROOT/NAME/.tmp-*                a publication in progress (or a crash leftover); never listed
 * </pre>
 *
 * <p>A version appears by one atomic directory rename, so readers need no locks: whatever
 * {@link org.supcon.trainer.repository.ModelRepository#versions} lists is complete.
 */
package org.supcon.trainer.repository;
