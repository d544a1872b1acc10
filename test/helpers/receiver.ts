// The shop's callback endpoint, for every suite: records each callback as it arrives (with
// its signature checked then, when a key is known), and answers as told, misbehaving on
// purpose if asked (an error status, a late answer, a reset connection, a request left hanging).

import { verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One callback as the shop received it, with the fields `parse` read from its body. */
export type ReceivedCallback<T extends object = object> = T & {
  /** Order of arrival, from 0. */
  seq: number;
  receivedAt: number;
  body: string;
  headers: IncomingHttpHeaders;
  /** Callback-Signature checked against `publicKey()` at arrival: false without a key; undefined when no key was asked for. */
  signatureValid: boolean | undefined;
  /** What the receiver did: an HTTP status, or "reset" / "hang". */
  answer: number | "reset" | "hang";
};

export type Misbehaviour =
  /** Answers `status` (after `delayMs`); a 3xx carries a Location. */
  | { kind: "answer"; status: number; delayMs?: number }
  /** Destroys the connection without an answer. */
  | { kind: "reset" }
  /** Keeps the request open for `ms` (longer than tetri's timeout), then tries to answer 200. */
  | { kind: "hang"; ms: number };

export type ReceiverOptions<T extends object> = {
  /** A fixed port, so that a restarted tetri finds the receiver at the URL its outbox holds. */
  port?: number;
  /** The key that signs callbacks, asked at each arrival (undefined while not known yet). */
  publicKey?: () => KeyObject | undefined;
  /** Decides each answer; default 200 at once. */
  behave?: (callback: ReceivedCallback<T>) => Misbehaviour;
  /** Reads fields from the body, spread into the record. */
  parse?: (body: string) => T;
};

/** Listens on 127.0.0.1 (a free port unless given) and records every fully received callback. */
export async function startReceiver<T extends object = object>(options: ReceiverOptions<T> = {}) {
  const received: ReceivedCallback<T>[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };
  let seq = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("error", () => {});
    res.on("error", () => {});
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const callback: ReceivedCallback<T> = {
        ...((options.parse?.(body) ?? {}) as T),
        seq: seq++,
        receivedAt: Date.now(),
        body,
        headers: req.headers,
        signatureValid: options.publicKey ? signatureValid(body, req.headers["callback-signature"], options.publicKey()) : undefined,
        answer: 200,
      };
      const action = options.behave?.(callback) ?? { kind: "answer", status: 200 };
      received.push(callback);
      if (action.kind === "reset") {
        callback.answer = "reset";
        req.socket.destroy();
      } else if (action.kind === "hang") {
        callback.answer = "hang";
        later(action.ms, () => {
          if (!res.destroyed) res.writeHead(200).end("late");
        });
      } else {
        callback.answer = action.status;
        const answer = () => {
          if (res.destroyed) return;
          if (action.status >= 300 && action.status < 400) res.setHeader("location", "http://127.0.0.1:1/elsewhere");
          res.writeHead(action.status).end(action.status < 300 ? "ok" : "not now");
        };
        if (action.delayMs) later(action.delayMs, answer);
        else answer();
      }
    });
  };
  const server: Server = createServer(handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/callback`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
export type Receiver<T extends object = object> = Awaited<ReturnType<typeof startReceiver<T>>>;

function signatureValid(body: string, signature: string | string[] | undefined, key: KeyObject | undefined): boolean {
  return key !== undefined && typeof signature === "string" && verify("sha256", Buffer.from(body), key, Buffer.from(signature, "base64"));
}
