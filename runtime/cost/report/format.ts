// Number formatting shared by the renderers.

/** $1,234.56; amounts under a cent keep 4 significant digits so small lines do not read as $0.00 when they are not. */
export function money(amount: number): string {
  const abs = Math.abs(amount);
  const sign = amount < 0 ? '-' : '';
  if (abs > 0 && abs < 0.005) return `${sign}$${abs.toPrecision(2)}`;
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price in full ($0.0000166667). */
export function rate(price: number, per: number): string {
  const p = `$${price.toLocaleString('en-US', { maximumFractionDigits: 10 })}`;
  return per === 1 ? p : `${p} per ${per === 1e6 ? '1M' : per.toLocaleString('en-US')}`;
}

export function quantity(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 1) return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return n.toPrecision(3);
}

export function ms(n: number): string {
  return n >= 100 ? `${Math.round(n).toLocaleString('en-US')} ms` : `${n.toFixed(1)} ms`;
}

export function duration(msValue: number): string {
  const s = msValue / 1000;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function bytesPerSec(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB/s`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB/s`;
  return `${Math.round(n)} B/s`;
}
