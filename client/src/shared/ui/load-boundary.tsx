import { Component, type ReactNode } from 'react';

export interface LoadBoundaryProps {
  /** Told once when the code inside could not be loaded (or threw while rendering). */
  onError: (error: unknown) => void;
  children: ReactNode;
}

/**
 * Around a React.lazy component: when its chunk cannot be fetched (the
 * network gone before the service worker had it) the rejection would
 * otherwise unmount the whole app. Here it unmounts only what is inside, and
 * the owner says so and may offer to try again.
 */
export class LoadBoundary extends Component<LoadBoundaryProps, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown) {
    this.props.onError(error);
  }

  render() {
    return this.state.failed ? null : this.props.children;
  }
}
