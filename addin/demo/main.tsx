import { createRoot } from 'react-dom/client';
import { DemoApp } from './demo-app.js';

createRoot(document.getElementById('root')!).render(<DemoApp />);
