// A command: sends a notification (here: logs it) and says to whom.
import type { Handler } from 'aws-lambda';

export const handler: Handler<{ to?: string; message?: string }, { notified: string }> = async (args) => {
  const to = args.to ?? 'ops';
  console.log(`notify ${to}: ${args.message ?? '(no message)'}`);
  return { notified: to };
};
