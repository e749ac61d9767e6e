// Chart code, loaded on demand (Chart.js, tree-shaken to what a bar chart needs).
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export interface YearlyChartInput {
  labels: string[];
  total: { label: string; values: number[] };
  parts: { id: string; label: string; color: string; values: number[] }[];
  axisLabel: string;
  formatValue: (millions: number) => string;
}

export function yearlyChart(canvas: HTMLCanvasElement, input: YearlyChartInput): { destroy(): void } {
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: input.labels,
      datasets: [
        {
          label: input.total.label,
          data: input.total.values,
          stack: 'total',
          grouped: false,
          order: 2,
          barPercentage: 0.92,
          categoryPercentage: 0.9,
          backgroundColor: 'rgba(15, 61, 110, 0.10)',
          borderColor: '#0f3d6e',
          borderWidth: 1.5,
        },
        ...input.parts.map((p) => ({
          label: p.label,
          data: p.values,
          stack: 'strategic',
          grouped: false,
          order: 1,
          barPercentage: 0.62,
          categoryPercentage: 0.9,
          backgroundColor: p.color,
          borderWidth: 0,
        })),
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          filter: (item) => (item.raw as number) > 0,
          callbacks: { label: (item) => `${item.dataset.label}: ${input.formatValue(item.raw as number)}` },
        },
      },
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: input.axisLabel },
          ticks: { callback: (v) => new Intl.NumberFormat().format(Number(v)) },
        },
      },
    },
  });
  return chart;
}
