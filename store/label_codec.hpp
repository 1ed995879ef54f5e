// How a run's labels are kept in one text column: a JSON object of strings.
// Pure functions; decode returns an empty map for text it cannot read.
#pragma once

#include <map>
#include <string>

namespace fabro::store {

std::string encode_labels(const std::map<std::string, std::string>& labels);
std::map<std::string, std::string> decode_labels(const std::string& json);

}  // namespace fabro::store
