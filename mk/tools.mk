# Forecasting benchmark tools (included by the Makefile). build/m3-tool scores M3 forecasts (ours from
# PostgreSQL, R's) for bench/forecast.sh, and forecasts M3 outside PostgreSQL while developing.
# build/nab-tool scores anomaly detectors on NAB's standard profile for bench/anomalies.sh (our
# OnlineDetector, NAB's windowedGaussian and null detectors). Pure forecasting sources only, built -O2
# like the extension; chart_data.cpp is left out (it draws through render/, which the tools need not).
FORECAST_TOOL_SOURCES = $(filter-out extension/forecast/chart_data.cpp,$(filter extension/forecast/% extension/common/error.cpp extension/common/runtime.cpp extension/common/calendar.cpp,$(PURE_SOURCES)))
build/m3-tool build/nab-tool: build/%-tool: test/bench/%_tool.cpp $(FORECAST_TOOL_SOURCES) $(wildcard extension/forecast/*.hpp)
	@mkdir -p $(dir $@)
	$(CXX) $(STRICT_CXXFLAGS) -O2 -Iextension -o $@ $< $(FORECAST_TOOL_SOURCES)
