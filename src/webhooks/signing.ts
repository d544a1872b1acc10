// Callback signatures, one scheme per dialect. BOG: SHA256withRSA over the raw body bytes,
// base64, in the Callback-Signature header. TBC: none.

import { sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { Dialect } from "../core/types.ts";

export type CallbackSigner = (body: string) => Promise<Record<string, string>>;

export function bogCallbackSigner(privateKey: KeyObject): CallbackSigner {
  // An RSA-2048 signature costs about a millisecond: with a callback, node:crypto computes it
  // on the thread pool instead of the event loop.
  return (body) =>
    new Promise((resolve, reject) => {
      sign("sha256", Buffer.from(body, "utf8"), privateKey, (error, signature) =>
        error ? reject(error) : resolve({ "callback-signature": signature.toString("base64") }),
      );
    });
}

/** TBC signs nothing: its callback carries only the payment id, which the shop then reads back. */
export const tbcCallbackSigner: CallbackSigner = async () => ({});

export type CallbackSigners = Readonly<Record<Dialect, CallbackSigner>>;
