// Splits a Server-Sent Events stream into its messages' data (`bench
// --follow` reads GET /api/v1/attach with it; reference §9.3).
//
// A message is the `data:` lines up to a blank line, joined with "\n";
// `id:`, `event:` and comment lines (":" keep-alives) are skipped, and a
// message without data yields nothing. Accepts LF or CR LF line ends and
// bytes cut anywhere.
//
// Not thread-safe; one decoder per stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fabro::model {

class sse_decoder {
 public:
  // Consumes `bytes`; returns the data of each message they complete.
  std::vector<std::string> feed(std::string_view bytes);

 private:
  std::string line_;  // the incomplete last line
  std::string data_;  // data of the current message so far
  bool has_data_ = false;
};

}  // namespace fabro::model
