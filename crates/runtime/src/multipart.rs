//! `multipart/form-data` bodies, encoded into memory.
//!
//! Buffering (25 MB at most for the providers that need it) keeps the body
//! clonable, so a multipart request can be retried like any other when that
//! is safe; reqwest's streaming form cannot.

use std::path::Path;

/// A file to upload.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    file_name: String,
    content_type: String,
    bytes: bytes::Bytes,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Attachment {
    /// A file from memory.
    pub fn from_bytes(
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<bytes::Bytes>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            content_type: content_type.into(),
            bytes: bytes.into(),
        }
    }

    /// A file read from disk; the content type follows the extension.
    pub fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        Ok(Self::from_bytes(file_name, content_type_for(path), bytes))
    }

    /// The file name sent.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
    /// The content type sent.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }
    /// The content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The MIME type of a file name's extension (`application/octet-stream` if unknown).
pub fn content_type_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// Limits on the files of one request.
#[derive(Clone, Copy, Debug)]
pub struct FileLimits {
    /// Most files per request.
    pub max_files: Option<usize>,
    /// Most bytes of all files together.
    pub max_total_bytes: Option<u64>,
}

/// A form being built. Text fields are kept so the spec's limits can be checked.
#[derive(Debug, Default)]
pub struct Form {
    fields: Vec<(String, String)>,
    files: Vec<(String, Attachment)>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.fields.push((name.into(), value.into()));
    }

    /// Adds `files` as `<name>[0]`, `<name>[1]`, ..., refusing more than the limits.
    pub fn files(
        &mut self,
        name: &str,
        files: &[Attachment],
        limits: FileLimits,
    ) -> Result<(), String> {
        if let Some(max) = limits.max_files
            && files.len() > max
        {
            return Err(format!(
                "`{name}` takes at most {max} files (got {})",
                files.len()
            ));
        }
        let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
        if let Some(max) = limits.max_total_bytes
            && total > max
        {
            return Err(format!(
                "`{name}` files may total at most {max} bytes per request (got {total})"
            ));
        }
        for (i, f) in files.iter().enumerate() {
            self.files.push((format!("{name}[{i}]"), f.clone()));
        }
        Ok(())
    }

    /// The text fields, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The `Content-Type` header value and the encoded body.
    pub fn finish(self) -> (String, Vec<u8>) {
        let boundary = format!(
            "supportkit-{:016x}{:016x}",
            crate::random_u64(),
            crate::random_u64()
        );
        let size: usize = self
            .files
            .iter()
            .map(|(_, f)| f.bytes.len() + 256)
            .sum::<usize>()
            + self
                .fields
                .iter()
                .map(|(k, v)| k.len() + v.len() + 128)
                .sum::<usize>();
        let mut body = Vec::with_capacity(size + 64);
        for (name, value) in &self.fields {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                    quote(name)
                )
                .as_bytes(),
            );
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        for (name, file) in &self.files {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    quote(name),
                    quote(&file.file_name),
                    file.content_type
                )
                .as_bytes(),
            );
            body.extend_from_slice(&file.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// Escapes a header parameter value (quotes and line breaks).
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_and_files() {
        let mut form = Form::new();
        form.text("subject", "Hi \"there\"");
        let file = Attachment::from_bytes("a.txt", "text/plain", &b"hello"[..]);
        form.files(
            "attachment",
            &[file],
            FileLimits {
                max_files: Some(1),
                max_total_bytes: None,
            },
        )
        .unwrap();
        let (ct, body) = form.finish();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("name=\"subject\"\r\n\r\nHi \"there\"\r\n"));
        assert!(text.contains("name=\"attachment[0]\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn file_limits_name_the_field() {
        let files: Vec<_> = (0..3)
            .map(|i| Attachment::from_bytes(format!("{i}"), "text/plain", vec![0u8; 10]))
            .collect();
        let mut form = Form::new();
        let err = form
            .files(
                "attachment",
                &files,
                FileLimits {
                    max_files: Some(2),
                    max_total_bytes: None,
                },
            )
            .unwrap_err();
        assert!(
            err.contains("attachment") && err.contains("at most 2 files"),
            "{err}"
        );
        let err = form
            .files(
                "attachment",
                &files,
                FileLimits {
                    max_files: None,
                    max_total_bytes: Some(29),
                },
            )
            .unwrap_err();
        assert!(err.contains("29 bytes"), "{err}");
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(
            content_type_for(Path::new("x/report.PDF")),
            "application/pdf"
        );
        assert_eq!(
            content_type_for(Path::new("noext")),
            "application/octet-stream"
        );
    }
}
