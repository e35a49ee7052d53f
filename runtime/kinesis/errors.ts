// Kinesis API errors as the wire carries them: AWS's `__type`, its message text and the HTTP status.
// https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html

export class KinesisApiError extends Error {
  readonly type: string;
  readonly statusCode: number;
  /** kinesalite (recorded from AWS) sends SerializationException's text as `Message`, everything else as `message`. */
  readonly messageKey: 'message' | 'Message';
  /** False for errors AWS sends with `__type` only (e.g. a SerializationException for unparseable JSON). */
  readonly hasMessage: boolean;

  constructor(type: string, message: string | undefined, statusCode = 400, messageKey: 'message' | 'Message' = 'message') {
    super(message ?? type);
    this.name = 'KinesisApiError';
    this.type = type;
    this.statusCode = statusCode;
    this.messageKey = messageKey;
    this.hasMessage = message !== undefined;
  }

  /** The JSON/CBOR body of the error response. */
  body(): Record<string, string> {
    return this.hasMessage ? { __type: this.type, [this.messageKey]: this.message } : { __type: this.type };
  }
}

export function isKinesisApiError(err: unknown): err is KinesisApiError {
  return err instanceof KinesisApiError;
}

export const invalidArgument = (message: string): KinesisApiError => new KinesisApiError('InvalidArgumentException', message);

export const limitExceeded = (message: string): KinesisApiError => new KinesisApiError('LimitExceededException', message);

export const resourceNotFound = (message: string): KinesisApiError => new KinesisApiError('ResourceNotFoundException', message);

export const resourceInUse = (message: string): KinesisApiError => new KinesisApiError('ResourceInUseException', message);

export const internalFailure = (): KinesisApiError => new KinesisApiError('InternalFailure', undefined, 500);

/** `Stream s under account 000000000000 not found.` */
export const streamNotFound = (name: string, accountId: string): KinesisApiError =>
  resourceNotFound(`Stream ${name} under account ${accountId} not found.`);

/** `Stream s under account 000000000000 already exists.` */
export const streamExists = (name: string, accountId: string): KinesisApiError =>
  resourceInUse(`Stream ${name} under account ${accountId} already exists.`);

/** `Stream s under account 000000000000 not ACTIVE, instead in state UPDATING` (AWS puts no full stop here). */
export const streamNotActive = (name: string, accountId: string, status: string): KinesisApiError =>
  resourceInUse(`Stream ${name} under account ${accountId} not ACTIVE, instead in state ${status}`);

/** A ValidationException with a ready message (model constraint messages come from validation.ts). */
export const validationError = (message: string): KinesisApiError => new KinesisApiError('ValidationException', message);

/** A SerializationException for a value of the wrong JSON type (message under `Message`, as AWS sends it). */
export const serializationError = (message?: string): KinesisApiError =>
  new KinesisApiError('SerializationException', message, 400, 'Message');
