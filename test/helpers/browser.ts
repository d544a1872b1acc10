// Debian's Chromium through playwright-core, launched as this machine needs it (no sandbox as
// root, and none of the background traffic a closed network refuses).

import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.TETRI_CHROMIUM ?? "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
