// Writes JSON text straight into bytes, for the answers that carry thousands of records (PutRecords,
// GetRecords): one string per record, joined and then UTF-8 encoded as a whole, cost more than the
// records' own work. Callers pass pre-encoded constant parts, ASCII they know needs no escaping, and any
// other string through string().

const BASE64_CHARS = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
/** Above this many bytes a blob is base64-encoded natively (a call that pays for itself on longer data). */
const JS_BASE64_MAX = 256;

/** Constant JSON text (member names, punctuation) as bytes, for JsonWriter.raw. */
export function jsonBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export class JsonWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(sizeHint: number) {
    this.#buf = Buffer.allocUnsafe(Math.max(256, sizeHint));
  }

  /** Bytes of JSON text as they are (see jsonBytes). */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Text that already is JSON (JSON.stringify's output), as UTF-8. */
  text(json: string): void {
    this.#room(json.length * 3);
    this.#pos += this.#buf.write(json, this.#pos, 'utf8');
  }

  /** Lets source write at most maxBytes of JSON text at the end (its writeTo returns where it stopped). */
  from(source: { writeTo(buf: Uint8Array, at: number): number }, maxBytes: number): void {
    this.#room(maxBytes);
    this.#pos = source.writeTo(this.#buf, this.#pos);
  }

  /** Text the caller knows is printable ASCII without '"' or '\' (digits, shard ids): copied as it is. */
  ascii(s: string): void {
    const n = s.length;
    this.#room(n);
    if (n > 16) {
      this.#pos += this.#buf.write(s, this.#pos, 'latin1');
      return;
    }
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** Any string as a JSON string literal (what JSON.stringify gives). */
  string(s: string): void {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
    }
    this.#room(n + 2);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    buf[p++] = 0x22;
    this.#pos = p;
  }

  /** Bytes as a JSON string of their base64 (how JSON carries a blob). */
  base64(data: Uint8Array): void {
    const n = data.length;
    const size = 4 * Math.ceil(n / 3);
    this.#room(size + 2);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 0x22;
    if (n > JS_BASE64_MAX) {
      const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, n);
      p += buf.write(b.toString('base64'), p, 'latin1');
    } else {
      const t = BASE64_CHARS;
      let i = 0;
      for (; i + 2 < n; i += 3) {
        const v = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        buf[p++] = t[v >>> 18]!;
        buf[p++] = t[(v >>> 12) & 63]!;
        buf[p++] = t[(v >>> 6) & 63]!;
        buf[p++] = t[v & 63]!;
      }
      if (i < n) {
        const two = i + 1 < n;
        const v = (data[i]! << 16) | (two ? data[i + 1]! << 8 : 0);
        buf[p++] = t[v >>> 18]!;
        buf[p++] = t[(v >>> 12) & 63]!;
        buf[p++] = two ? t[(v >>> 6) & 63]! : 0x3d;
        buf[p++] = 0x3d;
      }
    }
    buf[p++] = 0x22;
    this.#pos = p;
  }

  /** The JSON written so far (a view of the writer's buffer: the writer is done with). */
  finish(): Buffer {
    return this.#buf.subarray(0, this.#pos);
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }
}
