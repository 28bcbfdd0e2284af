/**
 * The model repository's writer: published, immutable model versions on a filesystem, shared by
 * the trainer (which publishes) and the inference service (which reads). The layout and the card
 * are defined once, in {@link org.supcon.common.repository.RepositoryLayout} and
 * {@link org.supcon.common.repository.ModelCard}.
 *
 * <p>A version appears by one atomic directory rename, so readers need no locks: whatever
 * {@link org.supcon.trainer.repository.ModelRepository#versions} lists is complete.
 */
package org.supcon.trainer.repository;
