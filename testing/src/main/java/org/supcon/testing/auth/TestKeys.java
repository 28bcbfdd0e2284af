package org.supcon.testing.auth;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes the test key pair ({@link Tokens#KEYS}) before any test runs, so that every service the
 * tests start finds the public key its {@code %test} profile names (registered in
 * META-INF/services/org.junit.platform.launcher.LauncherSessionListener).
 */
public class TestKeys implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Tokens.publicKey();
    }
}
