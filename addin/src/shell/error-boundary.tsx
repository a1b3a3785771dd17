import { Button, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  readonly error: Error | null;
}

/** Keeps one broken view from blanking the whole pane; offers a retry. */
export class ErrorBoundary extends Component<{ children: ReactNode; label?: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`pane view failed${this.props.label ? ` (${this.props.label})` : ''}`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <MessageBar intent="error" layout="multiline" style={{ margin: 8 }}>
        <MessageBarBody>
          <MessageBarTitle>Something went wrong</MessageBarTitle>
          {this.state.error.message}
          <div style={{ marginTop: 8 }}>
            <Button size="small" onClick={() => this.setState({ error: null })}>
              Try again
            </Button>
          </div>
        </MessageBarBody>
      </MessageBar>
    );
  }
}
