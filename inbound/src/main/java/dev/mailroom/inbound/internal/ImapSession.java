package dev.mailroom.inbound.internal;

import dev.mailroom.inbound.ServerAction;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An IMAP folder opened read-write. Every command names messages by UID ({@code UID FETCH}, {@code UID STORE},
 * {@code UID MOVE}, {@code UID EXPUNGE}); bodies are fetched with {@code BODY.PEEK}, so {@code \Seen} is never set
 * by fetching. Without UIDPLUS a delete is refused rather than a bare {@code EXPUNGE} that would also remove what
 * another client flagged; without MOVE a move is refused.
 */
public final class ImapSession implements MailboxSession {
    private final Store store;
    private final IMAPFolder folder;
    private final long uidValidity;

    ImapSession(Store store, String folderName) throws MessagingException {
        this.store = store;
        IMAPFolder f = (IMAPFolder) store.getFolder(folderName);
        try {
            f.open(Folder.READ_WRITE);
        } catch (MessagingException e) {
            close(store);
            throw e;
        }
        this.folder = f;
        this.uidValidity = f.getUIDValidity();
    }

    @Override
    public String folder() {
        return folder.getFullName();
    }

    @Override
    public long uidValidity() {
        return uidValidity;
    }

    @Override
    public boolean hasCursor() {
        return true;
    }

    /** @return the number of messages in the folder */
    int count() throws MessagingException {
        return folder.getMessageCount();
    }

    @Override
    public List<Listed> list(long afterUid, Instant since) throws MessagingException {
        List<Listed> out = new ArrayList<>();
        if (since == null) {
            listSet((afterUid + 1) + ":*", afterUid, out);
        } else {
            List<Long> found = search(afterUid, since.minus(Duration.ofDays(1)));
            for (int i = 0; i < found.size(); i += 200) {
                StringBuilder set = new StringBuilder();
                for (Long uid : found.subList(i, Math.min(found.size(), i + 200))) {
                    set.append(set.length() == 0 ? "" : ",").append(uid);
                }
                listSet(set.toString(), afterUid, out);
            }
        }
        out.sort(Comparator.comparingLong(Listed::uid));
        listedOrder = new ArrayList<>(out);
        prefetched.clear();
        return out;
    }

    private void listSet(String set, long afterUid, List<Listed> out) throws MessagingException {
        command("UID FETCH " + set + " (UID RFC822.SIZE INTERNALDATE)", null, responses -> {
            for (Response r : responses) {
                if (r instanceof FetchResponse f) {
                    UID uid = f.getItem(UID.class);
                    RFC822SIZE size = f.getItem(RFC822SIZE.class);
                    INTERNALDATE date = f.getItem(INTERNALDATE.class);
                    if (uid != null && uid.uid > afterUid) { // "n:*" also names the last message when n is above it
                        out.add(new Listed(Long.toString(uid.uid), uid.uid, size == null ? 0 : size.size,
                                date == null || date.getDate() == null ? null : date.getDate().toInstant()));
                    }
                }
            }
        });
    }

    private List<Long> search(long afterUid, Instant from) throws MessagingException {
        String day = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ROOT).format(from.atZone(ZoneOffset.UTC));
        List<Long> found = new ArrayList<>();
        command("UID SEARCH UID " + (afterUid + 1) + ":* SINCE " + day, null, responses -> {
            for (Response r : responses) {
                if (r instanceof IMAPResponse ir && ir.isUnTagged() && ir.keyEquals("SEARCH")) {
                    for (String atom = ir.readAtom(); atom != null && !atom.isEmpty(); atom = ir.readAtom()) {
                        long uid = Long.parseLong(atom);
                        if (uid > afterUid) {
                            found.add(uid);
                        }
                    }
                }
            }
        });
        return found;
    }

    @Override
    public byte[] fetch(Listed message, boolean headerOnly) throws MessagingException {
        if (!headerOnly) {
            Optional<byte[]> batched = fromBatch(message);
            if (batched.isPresent() && batched.get() != GONE) {
                return batched.get();
            } // GONE: not in the batch's answer: asked for alone below
        }
        byte[] raw = fetchOne(message, headerOnly);
        if (raw == null && exists(message.uid())) {
            // the server keeps the message but sends no body (NIL or nothing): a refusal, counted against this message
            throw new MessagingException("the server sent no content for UID " + message.uid() + " although the message exists");
        }
        return raw; // null: deleted since the listing
    }

    // ---- Batched body fetching: one UID FETCH for the next messages of the listing, bounded by their RFC822.SIZE ----

    /** The most bytes one batch fetches (by the listed sizes). */
    static final long BATCH_BYTES = 4L * 1024 * 1024;
    /** The most messages one batch fetches. */
    static final int BATCH_MESSAGES = 200;
    /** Messages larger than this are fetched alone. */
    static final long BATCH_MESSAGE_MAX = 1024 * 1024;
    private static final byte[] GONE = new byte[0];

    private List<Listed> listedOrder = new ArrayList<>();
    private final java.util.Map<Long, byte[]> prefetched = new java.util.HashMap<>();
    private boolean batchRefused;

    /** The message's bytes from the current batch, fetching the next batch starting at it when needed; empty to fetch it alone. */
    private Optional<byte[]> fromBatch(Listed message) throws MessagingException {
        prefetched.keySet().removeIf(uid -> uid < message.uid()); // skipped by the pipeline: drop, memory stays bounded
        byte[] hit = prefetched.remove(message.uid());
        if (hit != null) {
            return Optional.of(hit);
        }
        if (batchRefused || message.size() > BATCH_MESSAGE_MAX) {
            return Optional.empty();
        }
        int start = -1;
        for (int i = 0; i < listedOrder.size(); i++) {
            if (listedOrder.get(i).uid() == message.uid()) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return Optional.empty();
        }
        List<Long> uids = new ArrayList<>();
        long bytes = 0;
        for (int i = start; i < listedOrder.size() && uids.size() < BATCH_MESSAGES; i++) {
            Listed l = listedOrder.get(i);
            if (l.size() > BATCH_MESSAGE_MAX) {
                break;
            }
            if (!uids.isEmpty() && bytes + l.size() > BATCH_BYTES) {
                break;
            }
            uids.add(l.uid());
            bytes += l.size();
        }
        if (uids.size() < 2) {
            return Optional.empty();
        }
        java.util.Map<Long, byte[]> got = new java.util.HashMap<>();
        try {
            command("UID FETCH " + uidSet(uids) + " (UID BODY.PEEK[])", null, responses -> {
                for (Response r : responses) {
                    if (r instanceof FetchResponse f && f.getItem(UID.class) != null && f.getItem(BODY.class) != null
                            && f.getItem(BODY.class).getByteArray() != null) { // NIL: left out, asked for alone
                        got.put(f.getItem(UID.class).uid, f.getItem(BODY.class).getByteArray().getNewBytes());
                    }
                }
            });
        } catch (jakarta.mail.FolderClosedException | jakarta.mail.StoreClosedException lost) {
            throw lost;
        } catch (MessagingException refused) {
            batchRefused = true; // e.g. one unreadable message: from now on one by one, so the refusal names that message
            return Optional.empty();
        }
        for (Long uid : uids) {
            prefetched.put(uid, got.getOrDefault(uid, GONE));
        }
        return Optional.ofNullable(prefetched.remove(message.uid()));
    }

    /** {@code 1,2,3,7,9,10} → {@code 1:3,7,9:10}. */
    static String uidSet(List<Long> sorted) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(sorted.get(i));
            if (j > i) {
                sb.append(':').append(sorted.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }

    // ---- IDLE: wakes the poller's fetch early; never imports ----

    /** @return {@code true} if the server offers IDLE */
    public boolean offersIdle() throws MessagingException {
        return ((IMAPStore) store).hasCapability("IDLE");
    }

    /**
     * Waits in {@code IDLE} until the server reports a change in the folder or {@code breaker} ends it: the breaker is
     * handed a task that, run on another thread, ends the {@code IDLE} (it sends {@code DONE}).
     *
     * @param breaker schedules the task that ends the wait, well below the read timeout; cancelled when the wait ends
     * @return {@code true} if the server reported a change (or new mail arrived as the task ended the wait),
     *         {@code false} if the wait was ended by the task and nothing arrived
     * @throws MessagingException when the connection fails
     */
    public boolean idle(java.util.function.Function<Runnable, java.util.concurrent.Future<?>> breaker) throws MessagingException {
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.Future<?> scheduled = breaker.apply(() -> {
            ended.set(true);
            try {
                folder.getMessageCount(); // any command on the folder ends the IDLE with DONE
            } catch (MessagingException ignored) {
                // the connection is gone; the waiting thread sees it too
            }
        });
        int before = folder.getMessageCount();
        try {
            folder.idle(true);
        } finally {
            scheduled.cancel(false);
        }
        // mail that arrived just as the task ended the wait is reported with the DONE: the count tells
        return !ended.get() || folder.getMessageCount() > before;
    }

    private byte[] fetchOne(Listed message, boolean headerOnly) throws MessagingException {
        byte[][] found = new byte[1][];
        command("UID FETCH " + message.uid() + " (UID BODY.PEEK[" + (headerOnly ? "HEADER" : "") + "])", null, responses -> {
            for (Response r : responses) {
                if (r instanceof FetchResponse f && f.getItem(BODY.class) != null && f.getItem(BODY.class).getByteArray() != null) {
                    found[0] = f.getItem(BODY.class).getByteArray().getNewBytes();
                }
            }
        });
        return found[0];
    }

    @Override
    public void apply(String id, ServerAction action) throws MessagingException {
        long uid = Long.parseLong(id);
        try {
            act(uid, action);
        } catch (MessagingException e) {
            if (exists(uid)) {
                throw e;
            }
            // gone: moved or deleted by an earlier attempt whose acknowledgement was lost, or by another client
        }
    }

    private boolean exists(long uid) throws MessagingException {
        boolean[] found = new boolean[1];
        command("UID FETCH " + uid + " (UID)", null, responses -> {
            for (Response r : responses) {
                if (r instanceof FetchResponse f && f.getItem(UID.class) != null && f.getItem(UID.class).uid == uid) {
                    found[0] = true;
                }
            }
        });
        return found[0];
    }

    private void act(long uid, ServerAction action) throws MessagingException {
        switch (action.kind()) {
            case KEEP -> {
                // nothing to do on the server
            }
            case MARK_READ -> command("UID STORE " + uid + " +FLAGS.SILENT (\\Seen)", null, r -> { });
            case MOVE -> {
                if (!((IMAPStore) store).hasCapability("MOVE")) {
                    throw new MessagingException("the server does not offer MOVE: choose keep, mark read or delete");
                }
                Argument target = new Argument().writeString(BASE64MailboxEncoder.encode(action.folder().orElseThrow()));
                command("UID MOVE " + uid, target, r -> { });
            }
            case DELETE -> {
                if (!((IMAPStore) store).hasCapability("UIDPLUS")) {
                    throw new MessagingException("the server does not offer UIDPLUS, so a message cannot be expunged alone"
                            + " (a bare EXPUNGE would also remove what other clients flagged): choose keep, mark read or move");
                }
                command("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)", null, r -> { });
                command("UID EXPUNGE " + uid, null, r -> { });
            }
        }
    }

    private interface ResponseReader {
        void read(Response[] responses);
    }

    private void command(String command, Argument args, ResponseReader reader) throws MessagingException {
        folder.doCommand(p -> {
            Response[] r = p.command(command, args);
            reader.read(r);
            p.notifyResponseHandlers(r);
            p.handleResult(r[r.length - 1]);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            if (folder.isOpen()) {
                folder.close(false); // never expunge on close: that would remove what other clients flagged
            }
        } catch (MessagingException ignored) {
            // the folder is closed with the connection below
        }
        close(store);
    }

    private static void close(Store store) {
        try {
            store.close();
        } catch (MessagingException ignored) {
            // nothing is pending on an IMAP connection; closing is best effort
        }
    }

}
