#pragma once
// CSV as spreadsheets read it (RFC 4180) for the roster status export, made safe to open: a
// cell that starts with = + - @ tab or CR would run as a formula in Excel, LibreOffice or
// Sheets, and creator names and usernames come from outside, so such a cell gets a leading
// apostrophe (shown as text, never evaluated).

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::edge::api {

/// One cell: neutralised when it could be a formula, quoted when it holds a comma, a quote or
/// a line break (quotes doubled).
std::string csv_cell(std::string_view value);

/// The cells as one record, comma-separated, ending in CRLF.
std::string csv_row(const std::vector<std::string>& cells);

}  // namespace rosterd::edge::api
