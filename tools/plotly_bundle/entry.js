// The plotly.js the dashboard draws with: core plus the trace types NewsLens's charts use (analysis/figures),
// about a third of the full bundle Streamlit's st.plotly_chart loads. tests/dashboard/test_plotly_component.py
// fails when a chart uses a trace type missing here.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/choropleth'),
]);

module.exports = Plotly;
