#include "model/bench/sse_decoder.hpp"

namespace fabro::model {

std::vector<std::string> sse_decoder::feed(std::string_view bytes) {
  std::vector<std::string> out;
  line_.append(bytes);
  size_t start = 0, nl;
  while ((nl = line_.find('\n', start)) != std::string::npos) {
    std::string_view line(line_.data() + start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (has_data_) out.push_back(std::move(data_));
      data_.clear();
      has_data_ = false;
    } else if (line.compare(0, 5, "data:") == 0) {
      line.remove_prefix(5);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      if (has_data_) data_ += '\n';
      data_.append(line);
      has_data_ = true;
    }
  }
  line_.erase(0, start);
  return out;
}

}  // namespace fabro::model
