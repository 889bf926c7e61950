// Input checks shared by the forecasting code.
#include "forecast/checks.hpp"

#include "common/error.hpp"

#include <cmath>
#include <string>

#include "common/pure.hpp"

namespace autoreport::forecast {

void require_finite(std::span<const double> values, std::string_view what) {
  for (const double v : values) {
    if (!std::isfinite(v)) {
      throw Error(sqlstate::invalid_parameter_value,
                  std::string(what) + " must be finite (no NaN or infinity)");
    }
  }
}

} // namespace autoreport::forecast
