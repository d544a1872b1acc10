// Callback signatures, one scheme per dialect. BOG: SHA256withRSA over the raw body bytes,
// base64, in the Callback-Signature header. TBC: none.

import { sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { Dialect } from "../core/types.ts";

export type CallbackSigner = (body: string) => Record<string, string>;

export function bogCallbackSigner(privateKey: KeyObject): CallbackSigner {
  return (body) => ({ "callback-signature": sign("sha256", Buffer.from(body, "utf8"), privateKey).toString("base64") });
}

/** TBC signs nothing: its callback carries only the payment id, which the shop then reads back. */
export const tbcCallbackSigner: CallbackSigner = () => ({});

export type CallbackSigners = Readonly<Record<Dialect, CallbackSigner>>;
