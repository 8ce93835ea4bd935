//! E-mail: over SMTP when `KETEN_SMTP_URL` is set, else as .eml files in `KETEN_MAIL_DIR`; neither means no mail.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;

/// Where mail goes, from flags and environment.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:25`, `smtps://user:password@host:465` or `smtp://host:587?tls=required`.
    pub smtp_url: Option<String>,
    /// Used when no SMTP URL is set: each mail becomes a file here (tests and demos read them).
    pub mail_dir: Option<PathBuf>,
    pub from: String,
    /// The address people use to reach keten, for links in mails; empty when not configured.
    pub public_url: String,
}

/// Where links in e-mail point when no public address is configured (start-up warns about it).
pub const FALLBACK_PUBLIC_URL: &str = "http://localhost:8080";

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_dir: None,
            from: "keten <noreply@keten.invalid>".into(),
            public_url: String::new(),
        }
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Dir(PathBuf, AsyncFileTransport<Tokio1Executor>),
}

/// Sends mail; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<Arc<Transport>>,
    from: Option<Mailbox>,
    /// The configured public address, else [`FALLBACK_PUBLIC_URL`]: e-mail has no request to take it from.
    pub public_url: String,
    /// The public address when one is configured; pages fall back to the request's own address without it.
    pub configured_public_url: Option<String>,
}

impl Mailer {
    /// A mailer for the configuration; a bad SMTP URL or sender is reported and mail is switched off.
    pub fn new(config: &MailConfig) -> Self {
        let transport = match (&config.smtp_url, &config.mail_dir) {
            (Some(url), _) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
                Ok(builder) => Some(Transport::Smtp(builder.build())),
                Err(e) => {
                    tracing::error!(error = %e, "KETEN_SMTP_URL is not usable: no e-mail is sent");
                    None
                }
            },
            // The folder is made when the first mail is written, not at start-up.
            (None, Some(dir)) => Some(Transport::Dir(
                dir.clone(),
                AsyncFileTransport::<Tokio1Executor>::new(dir),
            )),
            (None, None) => None,
        };
        let from = config.from.parse::<Mailbox>().map_err(|e| {
            tracing::error!(error = %e, "the sender address of e-mail is not valid: no e-mail is sent");
        });
        let configured = Some(config.public_url.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        Self {
            transport: transport.map(Arc::new),
            from: from.ok(),
            public_url: configured
                .clone()
                .unwrap_or_else(|| FALLBACK_PUBLIC_URL.to_owned()),
            configured_public_url: configured,
        }
    }

    /// Sends a plain-text mail. Files are written before this returns; SMTP runs in the background so a
    /// slow mail server never slows a page. Failures are logged, never shown to the user.
    pub async fn send(&self, to: &str, subject: &str, body: String) {
        self.send_with_attachment(to, subject, body, None).await;
    }

    /// Sends a plain-text mail with one attachment `(file name, content type, content)`, e.g. an .ics file.
    pub async fn send_with_attachment(
        &self,
        to: &str,
        subject: &str,
        body: String,
        attachment: Option<(&str, &str, String)>,
    ) {
        let (Some(transport), Some(from)) = (&self.transport, &self.from) else {
            return;
        };
        let to = match to.parse::<Mailbox>() {
            Ok(to) => to,
            Err(e) => {
                tracing::warn!(error = %e, "skipping mail to an invalid address");
                return;
            }
        };
        // Plain 7-bit text stays readable in the file and greppable in tests; other text is encoded.
        let text = Body::new_with_encoding(wrap(&body), ContentTransferEncoding::SevenBit)
            .unwrap_or_else(|_| Body::new(body));
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject);
        let built = match attachment {
            None => builder.header(ContentType::TEXT_PLAIN).body(text),
            Some((file_name, content_type, content)) => {
                let Ok(content_type) = ContentType::parse(content_type) else {
                    tracing::warn!("cannot attach a file with an unknown content type");
                    return;
                };
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(
                            SinglePart::builder()
                                .header(ContentType::TEXT_PLAIN)
                                .body(text),
                        )
                        .singlepart(
                            Attachment::new(file_name.to_owned()).body(content, content_type),
                        ),
                )
            }
        };
        let message = match built {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "cannot build mail");
                return;
            }
        };
        match transport.as_ref() {
            Transport::Dir(dir, files) => {
                if let Err(e) = std::fs::create_dir_all(dir) {
                    tracing::warn!(error = %e, dir = %dir.display(), "cannot create the mail folder");
                }
                if let Err(e) = files.send(message).await {
                    tracing::warn!(error = %e, "cannot write mail file");
                }
            }
            Transport::Smtp(smtp) => {
                let smtp = smtp.clone();
                tokio::spawn(async move {
                    if let Err(e) = smtp.send(message).await {
                        tracing::warn!(error = %e, "cannot send mail");
                    }
                });
            }
        }
    }
}

/// Renders a mail template: its first line is the subject, the text after the blank line below it the body.
/// A template that fails to render is logged and the mail skipped.
pub(crate) fn render(template: &impl askama::Template) -> Option<(String, String)> {
    let text = match template.render() {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(error = %e, "cannot render mail");
            return None;
        }
    };
    let (subject, body) = text.split_once('\n')?;
    Some((
        subject.trim().to_owned(),
        body.trim_start_matches('\n').to_owned(),
    ))
}

/// Breaks lines at spaces so that none is longer than 72 characters (7-bit mail wants at most 76);
/// a single longer word (a long link) stays whole.
fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        let mut width = 0;
        for (i, word) in line.split(' ').enumerate() {
            let len = word.chars().count();
            if i > 0 {
                if width + 1 + len > 72 {
                    out.push('\n');
                    width = 0;
                } else {
                    out.push(' ');
                    width += 1;
                }
            }
            out.push_str(word);
            width += len;
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_keeps_words_and_short_lines() {
        let long = "een ".repeat(30);
        let wrapped = super::wrap(&format!(
            "Kop\n\n{long}\nhttps://example.org/{}",
            "x".repeat(80)
        ));
        assert!(
            wrapped
                .lines()
                .filter(|l| !l.starts_with("https"))
                .all(|l| l.len() <= 72)
        );
        assert!(wrapped.starts_with("Kop\n\neen een"));
        assert!(wrapped.contains(&format!("https://example.org/{}", "x".repeat(80))));
        assert_eq!(wrapped.split_whitespace().count(), 32);
    }
}
