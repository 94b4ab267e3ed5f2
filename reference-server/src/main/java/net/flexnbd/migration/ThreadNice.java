package net.flexnbd.migration;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The calling thread's nice value on Linux (setpriority on its thread id), so that one
 * thread of the server can give way to the others for the CPU. Raising the value is always
 * allowed; lowering it again needs CAP_SYS_NICE, so a thread is only ever made nicer.
 */
final class ThreadNice {
    private static final int PRIO_PROCESS = 0;
    /** Why the calls cannot be made, or null when they can. */
    private static final Throwable UNAVAILABLE = register();

    private ThreadNice() {}

    private static final class Libc {
        static native int gettid();

        static native int setpriority(int which, int who, int prio);
    }

    private static Throwable register() {
        if (!Platform.isLinux()) {
            return new UnsupportedOperationException("not Linux");
        }
        try {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e;
        }
    }

    /**
     * Sets the calling thread's nice value to {@code nice} (0 to 19); a description of why it
     * could not, or null when it did.
     */
    static String makeCurrentThreadNicer(int nice) {
        if (nice < 0 || nice > 19) {
            throw new IllegalArgumentException("nice (" + nice + ") must be from 0 to 19");
        }
        if (UNAVAILABLE != null) {
            return UNAVAILABLE.toString();
        }
        if (Libc.setpriority(PRIO_PROCESS, Libc.gettid(), nice) != 0) {
            return "setpriority failed, errno " + Native.getLastError();
        }
        return null;
    }
}
