import t from 'tap';
import { SendBatch } from '../../src/gateway/send-batch.js';
import type { SocketState } from '../../src/gateway/socket-state.js';

/** Just what SendBatch touches of a socket: its gathered frames and the corked write. */
function fakeSocket(name: string, written: string[], fails = false): SocketState {
  const s = {
    batched: null as string[] | null,
    flushBatched(): void {
      const frames = s.batched ?? [];
      s.batched = null;
      if (fails) throw new Error(`socket ${name} failed`);
      for (const f of frames) written.push(`${name}:${f}`);
    },
  };
  return s as unknown as SocketState;
}

t.test('a socket whose write throws costs only its own frames: later sockets and the publishes still go out', (t) => {
  const written: string[] = [];
  const errors: unknown[] = [];
  const batch = new SendBatch((topic, frame) => written.push(`${topic}<-${frame}`), (err) => errors.push(err));
  const a = fakeSocket('a', written);
  const b = fakeSocket('b', written, true);
  const c = fakeSocket('c', written);
  batch.run(() => {
    for (const [s, ack] of [[a, 'ackA'], [b, 'ackB'], [c, 'ackC']] as const) {
      t.ok(batch.deferSend(s, ack));
      t.ok(batch.deferPublish('room:1', `msg-${ack}`));
    }
  });
  t.same(written, ['a:ackA', 'c:ackC', 'room:1<-msg-ackA', 'room:1<-msg-ackB', 'room:1<-msg-ackC']);
  t.match(errors, [{ message: 'socket b failed' }]);
  t.end();
});

t.test('a publish that throws does not stop the publishes after it', (t) => {
  const published: string[] = [];
  const errors: unknown[] = [];
  const batch = new SendBatch((topic, frame) => {
    if (frame === 'bad') throw new Error('publish failed');
    published.push(frame);
  }, (err) => errors.push(err));
  batch.run(() => {
    batch.deferPublish('room:1', 'one');
    batch.deferPublish('room:1', 'bad');
    batch.deferPublish('room:2', 'three');
  });
  t.same(published, ['one', 'three']);
  t.equal(errors.length, 1);
  t.notOk(batch.deferPublish('room:1', 'later'), 'the batch is over: sends go out at once again');
  t.end();
});
