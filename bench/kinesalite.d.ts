// kinesalite ships no types; bench/kinesis.ts only needs its factory of an http.Server.
declare module 'kinesalite' {
  import type { Server } from 'node:http';
  export default function kinesalite(options?: {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
    ssl?: boolean;
  }): Server;
}
