// E-mail through the operator's SMTP server (TETRI_SMTP_URL), with nodemailer. Only tetri's own
// texts (payment links) go out this way; a message the server refuses is an error to the caller.

import nodemailer from "nodemailer";
import type { MailMessage, Mailer } from "../core/ports.ts";

export function smtpMailer(settings: { url: string; from: string }): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(settings.url, { from: settings.from });
  return {
    async send(message: MailMessage) {
      await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}
