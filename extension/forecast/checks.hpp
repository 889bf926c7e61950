// Input checks shared by the forecasting code.
#pragma once

#include <span>
#include <string_view>

namespace autoreport::forecast {

// autoreport::Error 22023 "<what> must be finite (no NaN or infinity)" unless every value is finite.
void require_finite(std::span<const double> values, std::string_view what);

} // namespace autoreport::forecast
