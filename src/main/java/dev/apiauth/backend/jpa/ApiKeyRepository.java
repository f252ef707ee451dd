package dev.apiauth.backend.jpa;

import dev.apiauth.ApiKey;
import dev.apiauth.backend.Backend;
import dev.apiauth.backend.ConcurrentUpdateException;
import dev.apiauth.backend.DuplicateKeyException;
import dev.apiauth.backend.UnknownKeyException;
import jakarta.persistence.EntityExistsException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API key records on an {@link EntityManager} you provide: your own persistence unit with
 * {@code META-INF/apiauth/orm.xml} mapped, inside your own (JTA or resource-local) transaction. It neither
 * begins nor commits: writes need a transaction of the caller's (e.g. {@code @Transactional}), and a failed
 * write leaves it to roll back. It is a {@link Backend}, so an {@link dev.apiauth.ApiKeyService} can run on it:
 *
 * <pre>{@code
 * @Produces @ApiAuth Backend keys(@PersistenceContext(unitName = "app") EntityManager em) { return new ApiKeyRepository(em); }
 * }</pre>
 *
 * {@link JpaBackend} wraps it in short transactions of its own. The table is yours to migrate: a table created
 * before rate limits existed needs {@code META-INF/apiauth/ddl/upgrade-rate-limits.sql} applied before this release
 * runs on it (the entity maps the two columns it adds).
 */
public final class ApiKeyRepository implements Backend {

    private final EntityManager em;

    public ApiKeyRepository(EntityManager em) {
        this.em = em;
    }

    /** One indexed query on {@code key_hash}. */
    @Override
    public Optional<ApiKey> getByHash(String keyHash) {
        return em.createNamedQuery(ApiKeyEntity.BY_HASH, ApiKeyEntity.class).setParameter("hash", keyHash)
                .getResultStream().findFirst().map(ApiKeyEntity::toApiKey);
    }

    @Override
    public Optional<ApiKey> getById(UUID id) {
        return Optional.ofNullable(em.find(ApiKeyEntity.class, id.toString())).map(ApiKeyEntity::toApiKey);
    }

    /** Every key of the owner, newest first. */
    @Override
    public List<ApiKey> listByOwner(String ownerId) {
        return listByOwner(ownerId, 0, Integer.MAX_VALUE);
    }

    /** A page of the owner's keys, newest first. */
    public List<ApiKey> listByOwner(String ownerId, int offset, int limit) {
        return em.createNamedQuery(ApiKeyEntity.BY_OWNER, ApiKeyEntity.class).setParameter("owner", ownerId)
                .setFirstResult(offset).setMaxResults(limit).getResultStream().map(ApiKeyEntity::toApiKey).toList();
    }

    public long countByOwner(String ownerId) {
        return em.createNamedQuery(ApiKeyEntity.COUNT_BY_OWNER, Long.class).setParameter("owner", ownerId).getSingleResult();
    }

    /** Inserts the record (flushes, so a duplicate id or hash fails here); returns it as stored. */
    @Override
    public ApiKey create(ApiKey key) {
        ApiKeyEntity entity = ApiKeyEntity.from(key);
        try {
            em.persist(entity);
            em.flush();
        } catch (EntityExistsException e) {
            throw duplicate(key);
        } catch (PersistenceException e) {
            if (JpaBackend.isConstraintViolation(e)) {
                throw duplicate(key);
            }
            throw e;
        }
        return entity.toApiKey();
    }

    private static DuplicateKeyException duplicate(ApiKey key) {
        return new DuplicateKeyException("an API key with id " + key.id() + " or the same hash already exists");
    }

    /**
     * Replaces the record's changeable fields if {@code key.version()} is the stored version; the version
     * check is repeated by the database ({@code UPDATE ... WHERE version = ?}) at flush.
     */
    @Override
    public ApiKey update(ApiKey key) {
        ApiKeyEntity entity = em.find(ApiKeyEntity.class, key.id().toString());
        if (entity == null) {
            throw new UnknownKeyException(key.id());
        }
        if (entity.version() != key.version()) {
            throw new ConcurrentUpdateException(key.id(), key.version(), entity.version());
        }
        if (!entity.keyHash().equals(key.keyHash()) || !entity.ownerId().equals(key.ownerId())) {
            throw new IllegalArgumentException("the key hash and owner of API key " + key.id() + " cannot change");
        }
        entity.copy(key);
        try {
            em.flush();
        } catch (OptimisticLockException e) {
            throw new ConcurrentUpdateException("API key " + key.id() + " was updated concurrently; read it again");
        }
        return entity.toApiKey();
    }

    /** Removes the record if present. */
    @Override
    public void delete(UUID id) {
        deleteReturningHash(id);
    }

    /** Removes the record if present; returns its key hash, or null when there was none. */
    String deleteReturningHash(UUID id) {
        ApiKeyEntity entity = em.find(ApiKeyEntity.class, id.toString());
        if (entity == null) {
            return null;
        }
        em.remove(entity);
        em.flush();
        return entity.keyHash();
    }
}
