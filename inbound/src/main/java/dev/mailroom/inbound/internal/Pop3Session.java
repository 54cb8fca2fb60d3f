package dev.mailroom.inbound.internal;

import dev.mailroom.inbound.ServerAction;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.eclipse.angus.mail.pop3.POP3Message;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A POP3 inbox. Messages are named by their UIDL (a server without UIDL is refused: message numbers change
 * between sessions); deletions are {@code DELE} commands sent at {@link #commit()}, followed by {@code QUIT},
 * where the server carries them out. At most {@value #MAX_PER_SESSION} messages per session.
 */
public final class Pop3Session implements MailboxSession {
    /** The most messages one session takes. */
    public static final int MAX_PER_SESSION = 50;

    private final Store store;
    private final POP3Folder folder;
    private final Map<String, POP3Message> byUidl = new HashMap<>();

    Pop3Session(Store store) throws MessagingException {
        this.store = store;
        POP3Folder f = (POP3Folder) store.getFolder("INBOX");
        try {
            f.open(Folder.READ_WRITE);
        } catch (MessagingException e) {
            closeStore(store);
            throw e;
        }
        this.folder = f;
    }

    @Override
    public String folder() {
        return "INBOX";
    }

    @Override
    public long uidValidity() {
        return 0;
    }

    @Override
    public boolean hasCursor() {
        return false;
    }

    @Override
    public boolean actsAtCommit() {
        return true;
    }

    @Override
    public int maxPerSession() {
        return MAX_PER_SESSION;
    }

    /** @return the number of messages in the inbox */
    int count() throws MessagingException {
        return folder.getMessageCount();
    }

    @Override
    public List<Listed> list(long afterUid, java.time.Instant since) throws MessagingException {
        Message[] messages = folder.getMessages();
        FetchProfile profile = new FetchProfile();
        profile.add(UIDFolder.FetchProfileItem.UID);
        folder.fetch(messages, profile);
        List<Listed> out = new ArrayList<>();
        for (Message m : messages) {
            String uidl = folder.getUID(m);
            if (uidl == null || uidl.isBlank()) {
                throw new MessagingException("the POP3 server does not support UIDL, so a message cannot be recognized in the"
                        + " next session: use IMAP, or a server with UIDL");
            }
            byUidl.put(uidl, (POP3Message) m);
            out.add(new Listed(uidl, 0, m.getSize(), null));
        }
        return out;
    }

    @Override
    public byte[] fetch(Listed message, boolean headerOnly) throws MessagingException {
        POP3Message m = byUidl.get(message.id());
        if (m == null) {
            return null;
        }
        try (InputStream in = headerOnly ? m.top(0) : m.getMimeStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new MessagingException("reading message " + message.id() + " failed: " + e.getMessage(), e);
        } finally {
            m.invalidate(true); // drop Angus' cached copy: the pipeline holds the bytes
        }
    }

    @Override
    public void apply(String id, ServerAction action) throws MessagingException {
        switch (action.kind()) {
            case KEEP -> {
                // nothing to do on the server
            }
            case DELETE -> {
                POP3Message m = byUidl.get(id);
                if (m != null) {
                    m.setFlag(Flags.Flag.DELETED, true); // DELE is sent at commit, the server deletes at QUIT
                }
            }
            default -> throw new MessagingException("POP3 can only keep or delete a message, not " + action);
        }
    }

    @Override
    public void commit() throws MessagingException {
        folder.close(true);
        store.close();
    }

    @Override
    public void close() {
        try {
            if (folder.isOpen()) {
                folder.close(false);
            }
        } catch (MessagingException ignored) {
            // nothing was deleted; the connection ends below
        }
        closeStore(store);
    }

    private static void closeStore(Store store) {
        try {
            store.close();
        } catch (MessagingException ignored) {
            // closing is best effort
        }
    }
}
