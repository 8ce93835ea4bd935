//! The survey link as a QR code: SVG (made by the `qrcode` crate, as for the second factor) and PNG (the same
//! modules written as a black-and-white PNG with `flate2` and `crc32fast`, because the `qrcode` crate's PNG
//! output pulls in the whole `image` crate).

use crate::error::AppError;
use qrcode::{Color, EcLevel, QrCode};
use std::io::Write;

/// Medium error correction: a poster gets folded, taped and scratched.
fn code(url: &str) -> Result<QrCode, AppError> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A standalone SVG document.
pub(crate) fn svg(url: &str) -> Result<String, AppError> {
    Ok(code(url)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(400, 400)
        .quiet_zone(true)
        .build())
}

/// Pixels per module of the PNG: about 1000 px wide for a usual link, sharp when printed on A5.
const SCALE: usize = 24;
/// Modules of white around the code (the QR standard asks for 4).
const QUIET: usize = 4;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// A PNG of the code: 8-bit greyscale, black modules on white.
pub(crate) fn png(url: &str) -> Result<Vec<u8>, AppError> {
    let code = code(url)?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut raw = Vec::with_capacity(side * (side + 1));
    for y in 0..side {
        raw.push(0u8); // filter: none
        let my = (y / SCALE).checked_sub(QUIET).filter(|m| *m < width);
        for x in 0..side {
            let mx = (x / SCALE).checked_sub(QUIET).filter(|m| *m < width);
            let dark = match (mx, my) {
                (Some(mx), Some(my)) => colors.get(my * width + mx) == Some(&Color::Dark),
                _ => false,
            };
            raw.push(if dark { 0 } else { 255 });
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let data = z.finish().map_err(|e| AppError::Internal(e.to_string()))?;
    let side = u32::try_from(side).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&side.to_be_bytes());
    // Bit depth 8, colour type 0 (greyscale), compression 0, filter 0, no interlace.
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &data);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn png_has_its_signature_size_and_end() {
        let bytes = super::png("https://keten.example/enquete/abc").unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&bytes[12..16], b"IHDR");
        let side = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        // Version 3 (29 modules) plus quiet zones, 24 px each.
        assert_eq!(side % 24, 0);
        assert!(side >= (21 + 8) * 24);
        assert!(bytes.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND's CRC");
    }

    #[test]
    fn svg_is_a_document() {
        let svg = super::svg("https://keten.example/enquete/abc").unwrap();
        assert!(svg.contains("<svg"));
    }
}
