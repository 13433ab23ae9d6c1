#pragma once
// Strict standard base64 (RFC 4648 §4, '+' '/', '=' padding required) for key files. Internal
// to the vault: decoding writes straight into caller-provided (locked) memory, so no decoded key
// ever sits in an ordinary heap buffer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rosterd::vault::detail {

/// The number of bytes `text` decodes to, or nullopt unless it is canonical padded base64: a
/// length that is a multiple of 4, only alphabet characters before at most two '=' at the end,
/// and zero bits in the last character's unused low bits.
std::optional<std::size_t> base64_decoded_size(std::string_view text);

/// Decodes `text`, which base64_decoded_size accepted, into `out` (exactly that many bytes).
void base64_decode(std::string_view text, std::span<std::uint8_t> out);

/// Appends the padded base64 of `bytes` to `out`.
void base64_append(std::span<const std::uint8_t> bytes, std::string& out);

}  // namespace rosterd::vault::detail
