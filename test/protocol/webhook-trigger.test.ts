import t from 'tap';
import { fires, isWebhookTrigger } from '../../src/protocol/webhook-trigger.js';

const msg = (body: string, from = '1', mentions?: string[]) => ({ body, from, ...(mentions === undefined ? {} : { mentions }) });

t.test('a trigger is any, mention or a !word', async (t) => {
  for (const ok of ['any', 'mention', '!lights', '!a_b-2']) t.ok(isWebhookTrigger(ok), ok);
  for (const bad of ['', 'all', '!', '! x', 'lights', '!has space', `!${'x'.repeat(33)}`]) t.notOk(isWebhookTrigger(bad), JSON.stringify(bad));
});

t.test('which messages fire which trigger; the webhook\'s own bot and room entries never do', async (t) => {
  const table: Array<[trigger: Parameters<typeof fires>[0], body: string, mentions: string[] | undefined, fired: boolean]> = [
    ['any', 'hello', undefined, true],
    ['mention', 'hello', undefined, false],
    ['mention', '@helper hi', ['9'], true],
    ['mention', '@bob hi', ['2'], false],
    ['!lights', '!lights off', undefined, true],
    ['!lights', '  !LIGHTS', undefined, true],
    ['!lights', '!lightsaber', undefined, false],
    ['!lights', 'turn !lights off', undefined, false],
  ];
  for (const [trigger, body, mentions, fired] of table) t.equal(fires(trigger, msg(body, '1', mentions), '9'), fired, `${trigger} on ${JSON.stringify(body)}`);
  t.equal(fires('any', msg('my own answer', '9'), '9'), false, 'its own bot');
  t.equal(fires('any', { ...msg(''), event: { kind: 'joined' } }, '9'), false, 'a room entry');
});
