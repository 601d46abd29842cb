import { render, screen } from '@testing-library/react';
import { Component, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { useLiveValue } from './want-people';

class Catch extends Component<{ children: ReactNode }, { error: string | null }> {
  state = { error: null as string | null };
  static getDerivedStateFromError(error: Error) {
    return { error: error.name };
  }
  render() {
    return this.state.error ? <p>{`failed: ${this.state.error}`}</p> : this.props.children;
  }
}

function Reader({ read }: { read: () => Promise<string> }) {
  const value = useLiveValue(read, [read]);
  return <p>{value ?? 'loading'}</p>;
}

const failing = (name: string, times: number) => {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls <= times) throw Object.assign(new Error('read failed'), { name });
    return `read ${calls}`;
  };
};

describe('useLiveValue', () => {
  it('runs a read again after a transaction IndexedDB committed under it, instead of failing the page', async () => {
    render(
      <Catch>
        <Reader read={failing('PrematureCommitError', 2)} />
      </Catch>,
    );
    expect(await screen.findByText('read 3')).toBeInTheDocument();
  });

  it('throws any other failure to the error boundary', async () => {
    render(
      <Catch>
        <Reader read={failing('QuotaExceededError', 1)} />
      </Catch>,
    );
    expect(await screen.findByText('failed: QuotaExceededError')).toBeInTheDocument();
  });
});
