/**
 * ECharts, only the parts the app draws with (the full package is several times larger): line
 * and bar charts, their grid, tooltip, legend and mark lines, drawn as SVG: a dashboard's small
 * charts render faster so than on a canvas without a GPU (bench:web: the overview's first chart
 * 1.8 s → 1.4 s after navigation on the 2-core test machine). The zoom that only the hospital's
 * group chart uses is registered by that page, not loaded with the overview.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
