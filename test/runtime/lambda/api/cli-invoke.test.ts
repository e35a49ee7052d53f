// The core of `eddy invoke`: output, log tail, exit codes.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_FUNCTION_ERROR, EXIT_NOT_RUNNING, EXIT_OK, EXIT_USAGE, runInvoke } from '../../../../runtime/lambda/api/cli-invoke.ts';
import { fnConfig, startRuntimeApi, type RuntimeApi } from './helpers.ts';

let server: RuntimeApi;
let tmp: string;

function sink(): { write(t: string): boolean; text: () => string } {
  const parts: string[] = [];
  return { write: (t) => parts.push(t) > 0, text: () => parts.join('') };
}

beforeEach(async () => {
  server = await startRuntimeApi([fnConfig('length', { handler: 'handlers.length' }), fnConfig('fail', { handler: 'handlers.fail' })]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'eddy-'));
});

afterEach(async () => {
  await server.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('eddy invoke (core)', () => {
  it('prints the result on stdout and the decoded log tail on stderr', async () => {
    const out = sink();
    const err = sink();
    const code = await runInvoke({ endpoint: server.endpoint, functionName: 'length', data: '{"a":1}', logType: 'Tail', stdout: out, stderr: err });
    expect(code).toBe(EXIT_OK);
    expect(out.text()).toBe('7\n');
    // A fresh server: a cold start, so the tail begins with INIT_START.
    expect(err.text()).toMatch(
      /^INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: \S+\nSTART RequestId: [0-9a-f-]{36} Version: \$LATEST\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: /,
    );
  });

  it('reads --event from a file and pretty-prints when asked', async () => {
    const file = path.join(tmp, 'event.json');
    await fs.writeFile(file, '{"b":[1]}');
    const out = sink();
    const code = await runInvoke({ endpoint: server.endpoint, functionName: 'svc-dev-length', event: file, stdout: out, stderr: sink() });
    expect(code).toBe(EXIT_OK);
    expect(out.text()).toBe('9\n');
    const pretty = sink();
    expect(await runInvoke({ endpoint: server.endpoint, functionName: 'fail', pretty: true, stdout: pretty, stderr: sink() })).toBe(EXIT_FUNCTION_ERROR);
    expect(pretty.text()).toMatch(/^\{\n  "errorType": "TypeError",\n  "errorMessage": "boom",\n  "trace": \[\n/);
  });

  it('exits 1 on a function error, printing the error object', async () => {
    const out = sink();
    const err = sink();
    const code = await runInvoke({ endpoint: server.endpoint, functionName: 'fail', stdout: out, stderr: err });
    expect(code).toBe(EXIT_FUNCTION_ERROR);
    expect(JSON.parse(out.text())).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(err.text()).toBe('Function error (Unhandled) in fail\n');
  });

  it('exits 1 on a service error with its name and message', async () => {
    const err = sink();
    const code = await runInvoke({ endpoint: server.endpoint, functionName: 'ghost', stdout: sink(), stderr: err });
    expect(code).toBe(EXIT_FUNCTION_ERROR);
    expect(err.text()).toBe('ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost\n');
  });

  it('exits 2 on usage errors', async () => {
    const err = sink();
    expect(await runInvoke({ endpoint: server.endpoint, functionName: 'length', data: '{}', event: 'x.json', stdout: sink(), stderr: err })).toBe(EXIT_USAGE);
    expect(err.text()).toBe('error: use either --event <file> or --data <json>, not both\n');
    const err2 = sink();
    expect(await runInvoke({ endpoint: server.endpoint, functionName: 'length', event: path.join(tmp, 'missing.json'), stdout: sink(), stderr: err2 })).toBe(EXIT_USAGE);
    expect(err2.text()).toMatch(/^error: cannot read the event file .*missing\.json: ENOENT/);
    const err3 = sink();
    expect(await runInvoke({ endpoint: server.endpoint, functionName: 'length', data: '{nope', stdout: sink(), stderr: err3 })).toBe(EXIT_USAGE);
    expect(err3.text()).toMatch(/^error: the event \(--data\) is not JSON: /);
    const file = path.join(tmp, 'bad.json');
    await fs.writeFile(file, 'not json');
    const err4 = sink();
    expect(await runInvoke({ endpoint: server.endpoint, functionName: 'length', event: file, stdout: sink(), stderr: err4 })).toBe(EXIT_USAGE);
    expect(err4.text()).toMatch(/^error: the event \(.*bad\.json\) is not JSON: /);
  });

  it('says so when no eddy answers', async () => {
    const endpoint = server.endpoint;
    await server.close();
    const err = sink();
    expect(await runInvoke({ endpoint, functionName: 'length', stdout: sink(), stderr: err })).toBe(EXIT_NOT_RUNNING);
    expect(err.text()).toBe(`error: no eddy answers at ${endpoint} (is \`eddy start\` running?)\n`);
  });
});
