import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';

/** The demo signs people in through the dev sign-in; with OIDC it cannot, and says so. */
export function DevAuthNotice({ mode }: { mode: string | null }) {
  if (!mode || mode === 'dev') return null;
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="dev-auth-notice">
      <MessageBarBody>
        <MessageBarTitle>The demo host needs dev auth</MessageBarTitle>
        This server uses {mode.toUpperCase()} sign-in, so the demo cannot sign you in as a demo person. Run it with nothing configured (or AUTH_MODE=dev on a
        loopback HOST), or open the add-in from Outlook or Word.
      </MessageBarBody>
    </MessageBar>
  );
}
