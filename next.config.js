// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server/main.ts) owns the process; Next only renders the console.
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default nextConfig;
