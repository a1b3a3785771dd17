import { BrowserAuthError, InteractionRequiredAuthError, type IPublicClientApplication } from '@azure/msal-browser';
import { describe, expect, it } from '@jest/globals';
import { naaTokenProvider } from './naa-token-provider.js';
import { SignInRequiredError } from './token-provider.js';

/**
 * An in-memory MSAL (the external boundary): silent calls need interaction until a popup succeeded;
 * each popup waits for the test to play the user (finish or cancel).
 */
function fakeMsal() {
  let signedIn = false;
  const popups: { finish: () => void; cancel: () => void }[] = [];
  const msal = {
    acquireTokenSilent: async () => {
      if (!signedIn) throw new InteractionRequiredAuthError('interaction_required', 'sign in');
      return { accessToken: 'silent-token' };
    },
    acquireTokenPopup: () =>
      new Promise((resolve, reject) => {
        // Real MSAL refuses a second interaction while one is open.
        if (popups.length > 0) return reject(new BrowserAuthError('interaction_in_progress', 'busy'));
        const done = () => void popups.splice(0, 1);
        popups.push({
          finish: () => {
            done();
            signedIn = true;
            resolve({ accessToken: 'popup-token' });
          },
          cancel: () => {
            done();
            reject(new BrowserAuthError('user_cancelled', 'cancelled'));
          },
        });
      }),
  };
  let opened = 0;
  const counted = {
    ...msal,
    acquireTokenPopup: () => {
      opened++;
      return msal.acquireTokenPopup();
    },
  };
  return {
    create: async () => counted as unknown as IPublicClientApplication,
    popups,
    opened: () => opened,
  };
}

const options = { clientId: 'client', scope: 'api://pane/client/access_as_user', authority: null, loginHint: 'me@contoso.test' };
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('naaTokenProvider', () => {
  it('shares one popup between callers that need it at the same time', async () => {
    const msal = fakeMsal();
    const tokens = naaTokenProvider(options, msal.create);
    const calls = [tokens.getToken(), tokens.getToken(), tokens.getToken({ forceRefresh: true })];
    await settle();
    expect(msal.opened()).toBe(1);
    msal.popups[0]!.finish();
    expect(await Promise.all(calls)).toEqual(['popup-token', 'popup-token', 'popup-token']);
    expect(await tokens.getToken()).toBe('silent-token');
    expect(msal.opened()).toBe(1);
  });

  it('after a cancelled popup, background calls open no other until the user signs in', async () => {
    const msal = fakeMsal();
    const tokens = naaTokenProvider(options, msal.create);
    const needed: boolean[] = [];
    tokens.onSignInNeeded!((n) => needed.push(n));
    const first = tokens.getToken();
    await settle();
    msal.popups[0]!.cancel();
    await expect(first).rejects.toThrow(BrowserAuthError);
    expect(tokens.signInNeeded).toBe(true);
    expect(needed).toEqual([true]);

    // The realtime client retries with backoff, requests come and go: none opens a popup.
    for (let i = 0; i < 5; i++) await expect(tokens.getToken()).rejects.toThrow(SignInRequiredError);
    expect(msal.opened()).toBe(1);

    // The user chooses Sign in: one popup; waiting callers and later ones get the token.
    const signIn = tokens.signIn!();
    await settle();
    expect(msal.opened()).toBe(2);
    const waiting = tokens.getToken();
    await settle();
    msal.popups[0]!.finish();
    await signIn;
    expect(await waiting).toBe('popup-token');
    expect(tokens.signInNeeded).toBe(false);
    expect(needed).toEqual([true, false]);
    expect(await tokens.getToken()).toBe('silent-token');
    expect(msal.opened()).toBe(2);
  });

  it('passes other errors through without a popup', async () => {
    const msal = fakeMsal();
    const broken = async () =>
      ({
        acquireTokenSilent: async () => {
          throw new BrowserAuthError('no_network_connectivity', 'offline');
        },
        acquireTokenPopup: async () => {
          throw new Error('must not open');
        },
      }) as unknown as IPublicClientApplication;
    await expect(naaTokenProvider(options, broken).getToken()).rejects.toThrow(BrowserAuthError);
    expect(msal.opened()).toBe(0);
  });
});
